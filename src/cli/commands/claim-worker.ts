import { parseCommandArgs, usageError } from '../parsing/args.ts';
import type { CliContext } from '../wiring/context.ts';
import { parseHookEvent } from '../parsing/hook-args.ts';
import { runClaimCommand } from '../wiring/run-claim.ts';

/** The detached worker behind `hook` and `reconcile` (internal; its arguments are checked all the same). */
export async function run(ctx: CliContext): Promise<number> {
  const { flags, options, positionals } = parseCommandArgs(ctx.args, { flags: ['--reconcile'], options: ['--seq'] });
  const seqText = options.get('--seq') ?? '';
  if (!/^\d{1,30}$/.test(seqText)) throw usageError('claim-worker: --seq must be a number');
  const seq = BigInt(seqText);
  if (flags.has('--reconcile')) {
    if (positionals.length > 0) throw usageError('claim-worker --reconcile takes no arguments');
    return runClaimCommand(ctx, { kind: 'reconcile', seq }, 'worker');
  }
  const event = parseHookEvent(positionals);
  return runClaimCommand(ctx, { kind: 'event', key: event.key, type: event.type, seq }, 'worker');
}
