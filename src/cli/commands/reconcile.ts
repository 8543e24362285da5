import { newSequence } from '../../core/events.ts';
import { parseCommandArgs, usageError } from '../parsing/args.ts';
import type { CliContext } from '../wiring/context.ts';
import { startWorker } from '../wiring/detach.ts';

/** `carp-ovh reconcile [--wait]`: claim every configured VIP whose vhid is MASTER here. */
export async function run(ctx: CliContext): Promise<number> {
  const { flags, positionals } = parseCommandArgs(ctx.args, { flags: ['--wait'] });
  if (positionals.length > 0) throw usageError('usage: carp-ovh reconcile [--wait]');
  const seq = newSequence();
  if (!flags.has('--wait')) {
    startWorker(ctx, ['--seq', seq.toString(), '--reconcile']);
    return 0;
  }
  const { runClaimCommand } = await import('../wiring/run-claim.ts');
  return runClaimCommand(ctx, { kind: 'reconcile', seq }, 'foreground');
}
