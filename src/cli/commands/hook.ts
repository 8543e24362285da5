import { newSequence } from '../../core/events.ts';
import { parseCommandArgs } from '../parsing/args.ts';
import type { CliContext } from '../wiring/context.ts';
import { startWorker } from '../wiring/detach.ts';
import { parseHookEvent } from '../parsing/hook-args.ts';

/**
 * `carp-ovh hook <vhid@iface> <MASTER|BACKUP|INIT> [--wait]`, run by devd.
 * The event is stamped now (its place in the order of events), handed to a
 * detached worker, and the hook returns: devd is waiting. --wait runs it here.
 */
export async function run(ctx: CliContext): Promise<number> {
  const { flags, positionals } = parseCommandArgs(ctx.args, { flags: ['--wait'] });
  const event = parseHookEvent(positionals);
  const seq = newSequence();
  if (!flags.has('--wait')) {
    startWorker(ctx, ['--seq', seq.toString(), event.key, event.type]);
    return 0;
  }
  const { runClaimCommand } = await import('../wiring/run-claim.ts');
  return runClaimCommand(ctx, { kind: 'event', key: event.key, type: event.type, seq }, 'foreground');
}
