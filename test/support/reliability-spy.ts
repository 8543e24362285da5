/**
 * Spies on every child process carp-ovh starts for a router: ifconfig and
 * sysctl (wrappers in front of the fake kernel's), logger(1) for syslog, and a
 * service-status script. Each writes its argv and its whole environment (and
 * logger its input) to files in the router's dir, which the suite-wide secret
 * scan reads too. The detached claim worker's argv and environment are read
 * from /proc while it runs.
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Router } from './world.ts';

export interface Spy {
  /** argv + environment of every spied child, one block each. */
  dumpPath: string;
  /** What carp-ovh wrote to logger(1). */
  syslogPath: string;
  dump(): string;
  syslog(): string;
}

function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

function record(dump: string, label: string): string {
  return `{ printf '=== %s pid %s\\nargv:' ${shellQuote(label)} "$$"; for a in "$0" "$@"; do printf ' [%s]' "$a"; done; printf '\\nenv:\\n'; env; } >> ${shellQuote(dump)}`;
}

function script(path: string, lines: string[]): void {
  writeFileSync(path, ['#!/bin/sh', ...lines, ''].join('\n'));
  chmodSync(path, 0o755);
}

/** Rewrites the router's config so every child goes through a spy. Call before the first command. */
export function spyOn(router: Router): Spy {
  const dumpPath = join(router.dir, 'child-argv-env.log');
  const syslogPath = join(router.dir, 'child-syslog-input.log');
  const ifconfig = join(router.dir, 'spy-ifconfig');
  const sysctl = join(router.dir, 'spy-sysctl');
  const logger = join(router.dir, 'spy-logger');
  script(ifconfig, [record(dumpPath, 'ifconfig'), `exec ${shellQuote(router.kernel.ifconfigPath)} "$@"`]);
  script(sysctl, [record(dumpPath, 'sysctl'), `exec ${shellQuote(router.kernel.sysctlPath)} "$@"`]);
  script(logger, [record(dumpPath, 'logger'), `cat >> ${shellQuote(syslogPath)}`]);
  script(join(router.dir, 'service-status.d', 'spy-service'), [record(dumpPath, 'service-status script'), 'exit 0']);

  const config = readFileSync(router.configPath, 'utf8')
    .replace(`ifconfig: ${router.kernel.ifconfigPath}`, `ifconfig: ${ifconfig}`)
    .replace(`sysctl: ${router.kernel.sysctlPath}`, `sysctl: ${sysctl}`)
    .replace('  syslog: false\n', `  syslog: { tag: carp-ovh, facility: daemon, logger: ${logger} }\n`);
  writeFileSync(router.configPath, config);
  const read = (path: string): string => (existsSync(path) ? readFileSync(path, 'utf8') : '');
  return { dumpPath, syslogPath, dump: () => read(dumpPath), syslog: () => read(syslogPath) };
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
