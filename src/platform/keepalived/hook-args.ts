import type { CarpState, HookEvent } from '../../core/ports/index.ts';
import { CarpOvhError } from '../../errors.ts';
import { INSTANCE_RULE, isInstanceName, shown } from './names.ts';

/**
 * keepalived's `notify "/usr/local/bin/carp-ovh hook"` runs the program with
 * four arguments appended: `INSTANCE|GROUP`, the instance or sync group name,
 * the new state (MASTER, BACKUP, FAULT, STOP; DELETED when a reload removed the
 * instance) and the effective priority. keepalived execs it without a shell,
 * as root; each argument is checked here before anything else runs. Loaded on
 * the hook's fast path: nothing heavier than src/errors.ts.
 */

export const HOOK_USAGE = 'usage: carp-ovh hook <INSTANCE|GROUP> <name> <MASTER|BACKUP|FAULT|STOP|DELETED> <priority> [--wait]';

export type KeepalivedScope = 'INSTANCE' | 'GROUP';
export type KeepalivedState = 'MASTER' | 'BACKUP' | 'FAULT' | 'STOP' | 'DELETED';

export interface KeepalivedEvent {
  scope: KeepalivedScope;
  /** The vrrp_instance or vrrp_sync_group name: the failover entry's key. */
  key: string;
  /** keepalived's own word for the state. */
  keepalivedState: KeepalivedState;
  /** What the core acts on: only MASTER claims; FAULT, STOP and DELETED are simply not MASTER. */
  state: CarpState;
  priority: number;
}

const STATES: readonly KeepalivedState[] = ['MASTER', 'BACKUP', 'FAULT', 'STOP', 'DELETED'];

function bad(message: string): CarpOvhError {
  return new CarpOvhError(`${message}\n${HOOK_USAGE}`, { source: 'cli', badInput: true });
}

export function parseKeepalivedEvent(argv: readonly string[]): KeepalivedEvent {
  if (argv.length !== 4) throw bad(`expected 4 arguments (as keepalived's notify passes them), got ${argv.length}`);
  const [scopeText = '', name = '', stateText = '', priorityText = ''] = argv;
  if (scopeText !== 'INSTANCE' && scopeText !== 'GROUP') throw bad(`invalid scope ${shown(scopeText)}: expected INSTANCE or GROUP`);
  if (!isInstanceName(name)) throw bad(`invalid ${scopeText === 'GROUP' ? 'sync group' : 'vrrp_instance'} name ${shown(name)}: expected ${INSTANCE_RULE}`);
  const keepalivedState = STATES.find((candidate) => candidate === stateText);
  if (keepalivedState === undefined) throw bad(`invalid state ${shown(stateText)}: expected MASTER, BACKUP, FAULT, STOP or DELETED`);
  // keepalived prints the effective priority, 0..255 (0 when the instance gives up; 255 an address owner).
  if (!/^(0|[1-9][0-9]{0,2})$/.test(priorityText) || Number(priorityText) > 255)
    throw bad(`invalid priority ${shown(priorityText)}: expected an integer from 0 to 255`);
  return {
    scope: scopeText,
    key: name,
    keepalivedState,
    state: keepalivedState === 'MASTER' ? 'MASTER' : keepalivedState === 'BACKUP' ? 'BACKUP' : 'INIT',
    priority: Number(priorityText),
  };
}

/** The shape every platform's hook-args module exports: the entry key and the state. */
export function parseHookArgs(argv: readonly string[]): HookEvent {
  const event = parseKeepalivedEvent(argv);
  return { key: event.key, state: event.state };
}
