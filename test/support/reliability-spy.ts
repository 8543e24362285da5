/**
 * Spies on every child process carp-ovh starts for a router: ifconfig and
 * sysctl (wrappers in front of the fake kernel's), logger(1) for syslog, and a
 * service-status script. Each writes its argv and its whole environment (and
 * logger its input) to files in the router's dir, which the suite-wide secret
 * scan reads too. One file per child: children run side by side (logger(1)
 * beside ifconfig), and lines appended to one shared file interleaved, so one
 * child's block once showed another's environment. The detached claim worker's argv and environment are read
 * from /proc while it runs.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Router } from './world.ts';

export interface Spy {
  /** argv + environment of every spied child, one file each. */
  dumpDir: string;
  /** What carp-ovh wrote to logger(1). */
  syslogPath: string;
  dump(): string;
  syslog(): string;
}

function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

function record(dumpDir: string, label: string): string {
  // Appended, not truncated: a pid the kernel reuses later adds a block instead of replacing one.
  const file = `${shellQuote(dumpDir)}/${label.replaceAll(' ', '-')}-$$.log`;
  return `{ printf '=== %s pid %s\\nargv:' ${shellQuote(label)} "$$"; for a in "$0" "$@"; do printf ' [%s]' "$a"; done; printf '\\nenv:\\n'; env; } >> ${file}`;
}

function script(path: string, lines: string[]): void {
  writeFileSync(path, ['#!/bin/sh', ...lines, ''].join('\n'));
  chmodSync(path, 0o755);
}

/** Rewrites the router's config so every child goes through a spy. Call before the first command. */
export function spyOn(router: Router): Spy {
  const dumpDir = join(router.dir, 'child-argv-env');
  mkdirSync(dumpDir);
  const syslogPath = join(router.dir, 'child-syslog-input.log');
  const ifconfig = join(router.dir, 'spy-ifconfig');
  const sysctl = join(router.dir, 'spy-sysctl');
  const logger = join(router.dir, 'spy-logger');
  script(ifconfig, [record(dumpDir, 'ifconfig'), `exec ${shellQuote(router.kernel.ifconfigPath)} "$@"`]);
  script(sysctl, [record(dumpDir, 'sysctl'), `exec ${shellQuote(router.kernel.sysctlPath)} "$@"`]);
  script(logger, [record(dumpDir, 'logger'), `cat >> ${shellQuote(syslogPath)}`]);
  script(join(router.dir, 'service-status.d', 'spy-service'), [record(dumpDir, 'service-status script'), 'exit 0']);

  const config = readFileSync(router.configPath, 'utf8')
    .replace(`ifconfig: ${router.kernel.ifconfigPath}`, `ifconfig: ${ifconfig}`)
    .replace(`sysctl: ${router.kernel.sysctlPath}`, `sysctl: ${sysctl}`)
    .replace('  syslog: false\n', `  syslog: { tag: carp-ovh, facility: daemon, logger: ${logger} }\n`);
  writeFileSync(router.configPath, config);
  const read = (path: string): string => (existsSync(path) ? readFileSync(path, 'utf8') : '');
  const dump = (): string =>
    readdirSync(dumpDir)
      .sort()
      .map((name) => read(join(dumpDir, name)))
      .join('');
  return { dumpDir, syslogPath, dump, syslog: () => read(syslogPath) };
}

/** The argv and environment of a running process, as the kernel has them (Linux /proc). */
export function procSnapshot(pid: number): { argv: string[]; env: string[] } | null {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      .split('\0')
      .filter((a) => a !== '');
    const env = readFileSync(`/proc/${pid}/environ`, 'utf8')
      .split('\0')
      .filter((a) => a !== '');
    return { argv, env };
  } catch {
    return null; // already gone
  }
}
