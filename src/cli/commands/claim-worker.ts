import type { CarpState } from '../../core/ports/index.ts';
import { printable } from '../../printable.ts';
import { parseCommandArgs, usageError } from '../parsing/args.ts';
import type { CliContext } from '../wiring/context.ts';
import { runClaimCommand } from '../wiring/run-claim.ts';

/**
 * The hook has checked the platform's own arguments and passes on the entry key
 * it derived (`2@vmx1`, `carp0`, `VI_1`): the worker checks that it is a key at
 * all (it names a state file), and the config decides whether it is known.
 */
const ENTRY_KEY = /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,79}$/;
const STATES: readonly CarpState[] = ['MASTER', 'BACKUP', 'INIT'];

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
  if (positionals.length !== 2) throw usageError(`claim-worker: expected KEY STATE, got ${positionals.length} arguments`);
  const [key = '', type = ''] = positionals;
  if (!ENTRY_KEY.test(key) || key.includes('..')) throw usageError(`claim-worker: invalid entry key ${printable(key)}`);
  const state = STATES.find((candidate) => candidate === type);
  if (state === undefined) throw usageError(`claim-worker: invalid state ${printable(type)}: expected MASTER, BACKUP or INIT`);
  return runClaimCommand(ctx, { kind: 'event', key, type: state, seq }, 'worker');
}
