import { resolveConfigPath } from '../../config/path.ts';
import { peekPlatformKind } from '../../config/peek-kind.ts';
import { newSequence } from '../../core/events.ts';
import { parseCommandArgs, usageError } from '../parsing/args.ts';
import { platformEntry } from '../wiring/adapters.ts';
import type { CliContext } from '../wiring/context.ts';
import { startWorker } from '../wiring/detach.ts';

/**
 * `carp-ovh hook <event arguments> [--wait | --dry-run]`, run by the platform's
 * trigger (devd, ifstated, keepalived's notify). The arguments are the
 * platform's own (src/platform/<kind>/hook-args.ts, the only platform module
 * loaded here). The event is stamped now (its place in the order of events),
 * handed to a detached worker, and the hook returns: devd is waiting. --wait
 * runs it here.
 */
export async function run(ctx: CliContext): Promise<number> {
  const { flags, positionals } = parseCommandArgs(ctx.args, { flags: ['--wait', '--dry-run'] });
  const kind = await peekPlatformKind(resolveConfigPath(ctx.configFlag, ctx.env));
  const platform = platformEntry(kind);
  if (platform === undefined) throw usageError(`platform.kind: ${kind} is not available in this build`);
  const event = (await platform.hookArgs()).parseHookArgs(positionals);
  if (flags.has('--dry-run')) {
    const { runDryRun } = await import('../wiring/run-dry-run.ts');
    return runDryRun(ctx, { kind: 'event', key: event.key, type: event.state });
  }
  const seq = newSequence();
  if (!flags.has('--wait')) {
    startWorker(ctx, ['--seq', seq.toString(), event.key, event.state]);
    return 0;
  }
  const { runClaimCommand } = await import('../wiring/run-claim.ts');
  return runClaimCommand(ctx, { kind: 'event', key: event.key, type: event.state, seq }, 'foreground');
}
