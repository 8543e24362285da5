import { newSequence } from '../../core/events.ts';
import { parseCommandArgs } from '../parsing/args.ts';
import type { CliContext } from '../wiring/context.ts';
import { handOff, readHookEvent } from '../wiring/hook-event.ts';

/**
 * `carp-ovh hook <event arguments> [--wait | --dry-run]`, run by the platform's
 * trigger (devd, ifstated, keepalived's notify). Without a flag it is the fast
 * path of src/cli.ts, which never loads this module: the event goes to a
 * detached worker and the hook returns. --wait runs the claim here; --dry-run
 * says what it would do.
 */
export async function run(ctx: CliContext): Promise<number> {
  const { flags, positionals } = parseCommandArgs(ctx.args, { flags: ['--wait', '--dry-run'] });
  const event = await readHookEvent(ctx.configFlag, ctx.env, positionals);
  if (flags.has('--dry-run')) {
    const { runDryRun } = await import('../wiring/run-dry-run.ts');
    return runDryRun(ctx, { kind: 'event', key: event.key, type: event.state });
  }
  if (!flags.has('--wait')) {
    handOff(ctx, event);
    return 0;
  }
  const { runClaimCommand } = await import('../wiring/run-claim.ts');
  return runClaimCommand(ctx, { kind: 'event', key: event.key, type: event.state, seq: newSequence() }, 'foreground');
}
