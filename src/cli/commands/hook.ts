import { newSequence } from '../../core/events.ts';
import { parseCommandArgs } from '../args.ts';
import type { CliContext } from '../context.ts';
import { startWorker } from '../detach.ts';
import { parseHookEvent } from '../hook-args.ts';

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
  const { runClaimCommand } = await import('../run-claim.ts');
  return runClaimCommand(ctx, { kind: 'event', key: event.key, type: event.type, seq }, 'foreground');
}
