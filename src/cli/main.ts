import { EXIT_BAD_INPUT } from '../errors.ts';
import { packageRoot } from '../package-root.ts';
import { reportFailure, warnIfTlsUnchecked } from './output/failure.ts';
import { USAGE } from './output/usage.ts';
import { type GlobalArgs, parseGlobalArgs } from './parsing/args.ts';
import type { CliContext } from './wiring/context.ts';

type CommandModule = { run(ctx: CliContext): Promise<number> };

const COMMANDS: Record<string, () => Promise<CommandModule>> = {
  hook: () => import('./commands/hook.ts'),
  reconcile: () => import('./commands/reconcile.ts'),
  config: () => import('./commands/config.ts'),
  check: () => import('./commands/check.ts'),
  probe: () => import('./commands/probe.ts'),
  maintenance: () => import('./commands/maintenance.ts'),
  doctor: () => import('./commands/doctor.ts'),
  status: () => import('./commands/status.ts'),
  install: () => import('./commands/install.ts'),
  uninstall: () => import('./commands/uninstall.ts'),
  // Internal: the detached claim worker started by `hook` and `reconcile`.
  'claim-worker': () => import('./commands/claim-worker.ts'),
  // Internal: runs the notify scripts for one event, detached from the claim or check that raised it.
  'notify-run': () => import('./commands/notify-run.ts'),
};

/**
 * Every command but the hook's fast path (src/cli.ts): picks the command module
 * and loads only it. `parsed` is the entry's parse of `argv` (null when that
 * failed: parsed again here, to report the error); `cliPath` is the entry's own
 * path, which detached workers are started with.
 */
export async function main(argv: readonly string[], parsed: GlobalArgs | null, cliPath: string): Promise<number> {
  const stdout = { write: (text: string) => void process.stdout.write(text) };
  const stderr = { write: (text: string) => void process.stderr.write(text) };
  try {
    const global = parsed ?? parseGlobalArgs(argv);
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
    warnIfTlsUnchecked(process.env, stderr);
    const command = await load();
    return await command.run({ args: global.rest, configFlag: global.config, env: process.env, stdout, stderr, cliPath });
  } catch (error) {
    return reportFailure(error, stderr, process.env);
  }
}

async function version(): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  const { join } = await import('node:path');
  const pkg = JSON.parse(await readFile(join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}
