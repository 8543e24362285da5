import { resolveConfigPath } from '../../config/path.ts';
import type { CliContext } from './context.ts';

/**
 * Starts the claim worker in its own session and returns without waiting:
 * devd runs one event at a time and waits for its action, so the hook must not.
 * No shell: the arguments were validated, and are passed as an argv array.
 *
 * Not the runner of src/command.ts that every other command goes through: this
 * child needs none of its rules (no deadline, no output, it outlives us on
 * purpose), and the hook's fast path imports nothing it does not use.
 */
export function startWorker(ctx: Pick<CliContext, 'cliPath' | 'configFlag' | 'env'>, workerArgs: string[]): number | undefined {
  // Always the absolute path: the worker runs in /, where a relative --config or
  // CARP_OVH_CONFIG would name another file (or none) and the claim would never start.
  const args = [ctx.cliPath, 'claim-worker', ...workerArgs, '--config', resolveConfigPath(ctx.configFlag, ctx.env)];
  // Not an import of node:child_process: as an ES module import, node also loads
  // the lazy parts of every built-in it touches (see src/cli/parsing/args.ts).
  const { spawn } = process.getBuiltinModule('node:child_process');
  const child = spawn(process.execPath, args, {
    detached: true,
    stdio: 'ignore',
    shell: false,
    env: ctx.env,
    cwd: '/',
  });
  child.unref();
  return child.pid;
}
