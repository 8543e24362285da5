import type { CarpState } from '../../core/ports/index.ts';
import { CarpOvhError } from '../../errors.ts';
import { INTERFACE_RULE, isOpenBsdInterface, shown } from './names.ts';

/**
 * ifstated runs `carp-ovh hook carp0 MASTER` from a `run` line carp-ovh wrote
 * (ifstated's `run` takes no variables, so there is one line per state and
 * interface). Both arguments are checked to the letter before anything else runs;
 * this module is on the hook's fast path and imports nothing heavier than errors.ts.
 */

export const HOOK_USAGE = 'usage: carp-ovh hook <carp interface> <MASTER|BACKUP|INIT> [--wait]';

function usage(message: string): CarpOvhError {
  return new CarpOvhError(`${message}\n${HOOK_USAGE}`, { source: 'cli', badInput: true });
}

export function parseHookArgs(argv: readonly string[]): { key: string; state: CarpState } {
  if (argv.length !== 2) throw usage(`expected 2 arguments, got ${argv.length}`);
  const [iface = '', type = ''] = argv;
  if (!isOpenBsdInterface(iface)) throw usage(`invalid carp interface ${shown(iface)}: expected ${INTERFACE_RULE}`);
  const upper = /^[A-Za-z]{4,6}$/.test(type) ? type.toUpperCase() : '';
  if (upper !== 'MASTER' && upper !== 'BACKUP' && upper !== 'INIT') {
    throw usage(`invalid CARP state ${shown(type)}: expected MASTER, BACKUP or INIT`);
  }
  return { key: iface, state: upper };
}
