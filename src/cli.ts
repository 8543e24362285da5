#!/usr/bin/env node
/**
 * Entry point. Kept tiny on purpose: devd waits for `hook`, so nothing is
 * imported here that the hook's fast path does not need; each command module
 * is loaded only when it runs.
 */
import { fileURLToPath } from 'node:url';
import { parseGlobalArgs } from './cli/parsing/args.ts';
import type { CliContext } from './cli/wiring/context.ts';
import { USAGE } from './cli/output/usage.ts';
import { describeError, EXIT_BAD_INPUT, exitCodeFor, isCarpOvhError } from './errors.ts';
import { scrubText } from './redact.ts';

type CommandModule = { run(ctx: CliContext): Promise<number> };

const COMMANDS: Record<string, () => Promise<CommandModule>> = {
  hook: () => import('./cli/commands/hook.ts'),
  reconcile: () => import('./cli/commands/reconcile.ts'),
  config: () => import('./cli/commands/config.ts'),
  check: () => import('./cli/commands/check.ts'),
  probe: () => import('./cli/commands/probe.ts'),
  maintenance: () => import('./cli/commands/maintenance.ts'),
  doctor: () => import('./cli/commands/doctor.ts'),
  status: () => import('./cli/commands/status.ts'),
  install: () => import('./cli/commands/install.ts'),
  uninstall: () => import('./cli/commands/uninstall.ts'),
  // Internal: the detached claim worker started by `hook` and `reconcile`.
  'claim-worker': () => import('./cli/commands/claim-worker.ts'),
  // Internal: runs the notify scripts for one event, detached from the claim or check that raised it.
  'notify-run': () => import('./cli/commands/notify-run.ts'),
};

async function main(argv: readonly string[]): Promise<number> {
  const stdout = { write: (text: string) => void process.stdout.write(text) };
  const stderr = { write: (text: string) => void process.stderr.write(text) };
  try {
    const global = parseGlobalArgs(argv);
    if (global.version) {
      stdout.write(`carp-ovh ${await version()}\n`);
      return 0;
    }
    if (global.help || global.command === null) {
      (global.help ? stdout : stderr).write(USAGE);
      return global.help ? 0 : EXIT_BAD_INPUT;
    }
    const load = Object.hasOwn(COMMANDS, global.command) ? COMMANDS[global.command] : undefined;
    if (load === undefined) {
      stderr.write(`carp-ovh: unknown command ${JSON.stringify(global.command.slice(0, 40))}\n${USAGE}`);
      return EXIT_BAD_INPUT;
    }
    if (process.env.NODE_TLS_REJECT_UNAUTHORIZED === '0') {
      stderr.write(
        'carp-ovh: warning: NODE_TLS_REJECT_UNAUTHORIZED=0 is set; carp-ovh verifies OVH and Vault certificates anyway, but other node programs here do not: unset it\n',
      );
    }
    const command = await load();
    return await command.run({
      args: global.rest,
      configFlag: global.config,
      env: process.env,
      stdout,
      stderr,
      cliPath: fileURLToPath(import.meta.url),
    });
  } catch (error) {
    stderr.write(`carp-ovh: ${scrubText(describeError(error))}\n`);
    if (!isCarpOvhError(error) && process.env.CARP_OVH_DEBUG === '1' && error instanceof Error) {
      stderr.write(`${scrubText(error.stack ?? '')}\n`);
    }
    return exitCodeFor(error);
  }
}

async function version(): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

process.exitCode = await main(process.argv.slice(2));
