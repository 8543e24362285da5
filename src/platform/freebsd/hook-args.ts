import type { CarpState, HookEvent } from '../../core/ports/index.ts';
import { CarpOvhError } from '../../errors.ts';
import { printable } from '../../printable.ts';

/**
 * devd hands us `$subsystem $type` through /bin/sh -c. Both are checked here to
 * the letter (docs/cli.md, `hook`) before anything else runs. This module is on
 * the hook's fast path: it imports nothing heavier than src/errors.ts.
 */

export const HOOK_USAGE = 'usage: carp-ovh hook <vhid@iface> <MASTER|BACKUP|INIT> [--wait | --dry-run]';

const VHID = /^[1-9][0-9]{0,2}$/;
const IFACE = /^[a-z][a-z0-9_.]*$/;

export interface FreeBsdHookEvent {
  vhid: number;
  iface: string;
  key: string;
  type: CarpState;
}

function usageError(message: string): CarpOvhError {
  return new CarpOvhError(message, { source: 'cli', badInput: true });
}

export function parseSubsystem(subsystem: string): { vhid: number; iface: string; key: string } {
  const at = subsystem.indexOf('@');
  const vhidText = at === -1 ? '' : subsystem.slice(0, at);
  const iface = at === -1 ? '' : subsystem.slice(at + 1);
  if (!VHID.test(vhidText) || Number(vhidText) > 255) {
    throw usageError(`invalid vhid in ${printable(subsystem)}: expected vhid@iface with a vhid from 1 to 255\n${HOOK_USAGE}`);
  }
  if (!IFACE.test(iface) || iface.length > 15 || iface.includes('..')) {
    throw usageError(`invalid interface in ${printable(subsystem)}: expected [a-z][a-z0-9_.]*, at most 15 characters\n${HOOK_USAGE}`);
  }
  const vhid = Number(vhidText);
  return { vhid, iface, key: `${vhid}@${iface}` };
}

export function parseType(type: string): CarpState {
  const upper = /^[A-Za-z]{4,6}$/.test(type) ? type.toUpperCase() : '';
  if (upper === 'MASTER' || upper === 'BACKUP' || upper === 'INIT') return upper;
  throw usageError(`invalid CARP state ${printable(type)}: expected MASTER, BACKUP or INIT\n${HOOK_USAGE}`);
}

export function parseHookEvent(positionals: readonly string[]): FreeBsdHookEvent {
  if (positionals.length !== 2) throw usageError(`expected 2 arguments, got ${positionals.length}\n${HOOK_USAGE}`);
  const subsystem = parseSubsystem(positionals[0] ?? '');
  return { ...subsystem, type: parseType(positionals[1] ?? '') };
}

/** The platform-neutral form the hook passes on (src/core/ports/platform.ts `HookArgsModule`). */
export function parseHookArgs(argv: readonly string[]): HookEvent {
  const event = parseHookEvent(argv);
  return { key: event.key, state: event.type };
}
