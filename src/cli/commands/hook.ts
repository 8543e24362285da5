import { newSequence } from '../../core/events.ts';
import { parseCommandArgs } from '../parsing/args.ts';
import type { CliContext } from '../wiring/context.ts';
import { startWorker } from '../wiring/detach.ts';
import { parseHookEvent } from '../parsing/hook-args.ts';

/**
 * `carp-ovh hook <vhid@iface> <MASTER|BACKUP|INIT> [--wait | --dry-run]`, run by devd.
 * The event is stamped now (its place in the order of events), handed to a
 * detached worker, and the hook returns: devd is waiting. --wait runs it here.
 */
export async function run(ctx: CliContext): Promise<number> {
  const { flags, positionals } = parseCommandArgs(ctx.args, { flags: ['--wait', '--dry-run'] });
  const event = parseHookEvent(positionals);
  if (flags.has('--dry-run')) {
    const { runDryRun } = await import('../wiring/run-dry-run.ts');
    return runDryRun(ctx, { kind: 'event', key: event.key, type: event.type });
  }
  const seq = newSequence();
  if (!flags.has('--wait')) {
    startWorker(ctx, ['--seq', seq.toString(), event.key, event.type]);
    return 0;
  }
  const { runClaimCommand } = await import('../wiring/run-claim.ts');
  return runClaimCommand(ctx, { kind: 'event', key: event.key, type: event.type, seq }, 'foreground');
}
