import { newSequence } from '../../core/events.ts';
import { parseCommandArgs, usageError } from '../parsing/args.ts';
import type { CliContext } from '../wiring/context.ts';
import { startWorker } from '../wiring/detach.ts';

/** `carp-ovh reconcile [--wait | --dry-run]`: claim every configured VIP whose vhid is MASTER here. */
export async function run(ctx: CliContext): Promise<number> {
  const { flags, positionals } = parseCommandArgs(ctx.args, { flags: ['--wait', '--dry-run'] });
  if (positionals.length > 0) throw usageError('usage: carp-ovh reconcile [--wait | --dry-run]');
  if (flags.has('--dry-run')) {
    const { runDryRun } = await import('../wiring/run-dry-run.ts');
    return runDryRun(ctx, { kind: 'reconcile' });
  }
  const seq = newSequence();
  if (!flags.has('--wait')) {
    startWorker(ctx, ['--seq', seq.toString(), '--reconcile']);
    return 0;
  }
  const { runClaimCommand } = await import('../wiring/run-claim.ts');
  return runClaimCommand(ctx, { kind: 'reconcile', seq }, 'foreground');
}
