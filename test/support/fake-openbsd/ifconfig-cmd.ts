import { DEFAULT_FLAGS, formatInterface, IFF_RUNNING, IFF_UP, ipv4ToInt, prefixMask } from './format.ts';
import type { ObsdCarpState, ObsdKernelState } from './types.ts';

/**
 * The subset of OpenBSD's ifconfig(8) carp-ovh and its tests need:
 * - show one interface, all of them, or a group's members (a name without a trailing digit);
 * - `-g GROUP` prints the group's carp demote counter, `-g GROUP [-]carpdemote [N]` changes it
 *   (ifconfig.c setgroupattribs: N is strtonum 0..128, default 1; the kernel's
 *   if_setgroupattribs refuses a result outside 0..255 and leaves the counter alone);
 * - `IFACE inet ADDR[/P] alias`, `IFACE inet alias ADDR netmask M`, `IFACE inet ADDR -alias|delete`;
 * - `IFACE up|down` (a carp interface goes INIT when down, BACKUP when up again).
 */

export interface ObsdOutcome {
  stdout: string;
  stderr: string;
  exitCode: number;
  changed: boolean;
  kernelLog: string[];
}

class ExitError extends Error {}

const USAGE = 'usage: ifconfig [-AaC] [-M lladdr] [interface] [address_family]\n\t[address [dest_address]] [parameters]\n';
const ERRNO_TEXT = {
  ENOENT: 'No such file or directory',
  EINVAL: 'Invalid argument',
  ERANGE: 'Result too large',
  EADDRNOTAVAIL: "Can't assign requested address",
} as const;

function fail(outcome: ObsdOutcome, message: string): never {
  outcome.stderr += message;
  throw new ExitError();
}

/** strtonum(3): the whole string an integer within [min, max], else "invalid", "too small", "too large". */
function strtonum(text: string, min: number, max: number): { value: number } | { error: string } {
  if (!/^\s*[+-]?\d+$/.test(text)) return { error: 'invalid' };
  const value = Number.parseInt(text, 10);
  if (value < min) return { error: 'too small' };
  if (value > max) return { error: 'too large' };
  return { value };
}

function groupIoctlError(state: ObsdKernelState, group: string, ioctl: string, errno: keyof typeof ERRNO_TEXT): string {
  const prefix = state.dialect.groupErrors === 'named' ? `${group}: ` : '';
  return `ifconfig: ${prefix}${ioctl}: ${ERRNO_TEXT[errno]}\n`;
}

function groupCommand(state: ObsdKernelState, args: readonly string[], outcome: ObsdOutcome): void {
  const [group, word, amount] = args;
  if (group === undefined) fail(outcome, USAGE);
  const current = state.demote[group];
  if (word === undefined) {
    if (current === undefined) fail(outcome, groupIoctlError(state, group, 'SIOCGIFGATTR', 'ENOENT'));
    outcome.stdout += `${group}: carp demote count ${current}\n`;
    return;
  }
  let delta = 1;
  if (amount !== undefined) {
    const parsed = strtonum(amount, 0, 128);
    if ('error' in parsed) {
      fail(outcome, `ifconfig: ${state.dialect.groupErrors === 'named' ? `${group}: ` : ''}invalid carp demotion: ${parsed.error}\n`);
    }
    delta = parsed.value;
  }
  const negative = word.startsWith('-');
  if ((negative ? word.slice(1) : word) !== 'carpdemote') fail(outcome, USAGE);
  if (negative) delta = -delta;
  if (current === undefined) fail(outcome, groupIoctlError(state, group, 'SIOCSIFGATTR', 'ENOENT'));
  const next = current + delta;
  if (next > 0xff || next < 0) fail(outcome, groupIoctlError(state, group, 'SIOCSIFGATTR', state.dialect.demoteRange));
  state.demote[group] = next;
  outcome.changed = true;
}

function setCarpState(state: ObsdKernelState, name: string, next: ObsdCarpState, outcome: ObsdOutcome): void {
  const carp = state.interfaces[name]?.carp;
  if (carp === undefined || carp.state === next) return;
  outcome.kernelLog.push(`${name}: state transition: ${carp.state} -> ${next}`);
  carp.state = next;
}

function parsePrefix(outcome: ObsdOutcome, text: string): number {
  if (/^\d{1,2}$/.test(text) && Number(text) <= 32) return Number(text);
  let mask: number;
  try {
    mask = /^0x[0-9a-f]{1,8}$/i.test(text) ? Number.parseInt(text.slice(2), 16) >>> 0 : ipv4ToInt(text);
  } catch {
    fail(outcome, `ifconfig: ${text}: bad value\n`);
  }
  let prefix = 0;
  while (prefix < 32 && (mask & (0x80000000 >>> prefix)) !== 0) prefix++;
  if (prefixMask(prefix) !== mask) fail(outcome, `ifconfig: ${text}: bad value\n`);
  return prefix;
}

function parseAddress(outcome: ObsdOutcome, text: string): { addr: string; prefix?: number } {
  const [addr = '', prefix] = text.split('/');
  try {
    ipv4ToInt(addr);
  } catch {
    fail(outcome, `ifconfig: ${text}: bad value\n`);
  }
  return prefix === undefined ? { addr } : { addr, prefix: parsePrefix(outcome, prefix) };
}

function interfaceCommand(state: ObsdKernelState, name: string, args: readonly string[], outcome: ObsdOutcome): void {
  const iface = state.interfaces[name];
  if (iface === undefined) fail(outcome, `ifconfig: ${name}: no such interface\n`);
  let address: { addr: string; prefix?: number } | undefined;
  let alias: 'add' | 'remove' | undefined;
  let updown: 'up' | 'down' | undefined;
  for (let i = 0; i < args.length; i++) {
    const word = args[i] ?? '';
    if (word === 'inet') continue;
    if (word === 'alias') alias = 'add';
    else if (word === '-alias' || word === 'delete') alias = 'remove';
    else if (word === 'up' || word === 'down') updown = word;
    else if (word === 'netmask') {
      const value = args[++i];
      if (value === undefined) fail(outcome, 'ifconfig: netmask: requires 1 argument\n');
      if (address === undefined) fail(outcome, USAGE);
      address.prefix = parsePrefix(outcome, value);
    } else if (address === undefined && /^[0-9./]+$/.test(word)) address = parseAddress(outcome, word);
    else fail(outcome, `ifconfig: ${word}: bad value\n`);
  }
  iface.inet ??= [];
  const inet = iface.inet;
  if (address !== undefined) {
    const at = inet.findIndex((entry) => entry.addr === address.addr);
    if (alias === 'remove') {
      if (at < 0) fail(outcome, `ifconfig: SIOCDIFADDR: ${ERRNO_TEXT.EADDRNOTAVAIL}\n`);
      inet.splice(at, 1);
    } else {
      const entry = { addr: address.addr, prefix: address.prefix ?? 32 };
      if (at >= 0) inet[at] = entry;
      else if (alias === 'add' || inet.length === 0) inet.push(entry);
      else inet[0] = entry; // without `alias`, the address replaces the first one
    }
    outcome.changed = true;
  } else if (alias !== undefined) {
    fail(outcome, USAGE);
  }
  if (updown !== undefined) {
    const flags = iface.flags ?? DEFAULT_FLAGS;
    iface.flags = updown === 'up' ? flags | IFF_UP | IFF_RUNNING : flags & ~(IFF_UP | IFF_RUNNING);
    if (iface.carp !== undefined) {
      if (updown === 'down') setCarpState(state, name, 'INIT', outcome);
      else if (iface.carp.state === 'INIT') setCarpState(state, name, 'BACKUP', outcome);
    }
    outcome.changed = true;
  }
}

export function runIfconfig(state: ObsdKernelState, argv: readonly string[]): ObsdOutcome {
  const outcome: ObsdOutcome = { stdout: '', stderr: '', exitCode: 0, changed: false, kernelLog: [] };
  const names = Object.keys(state.interfaces);
  try {
    const first = argv[0];
    if (first === undefined || (first === '-a' && argv.length === 1)) {
      outcome.stdout = names.map((name) => formatInterface(name, state.interfaces[name] ?? { index: 0 })).join('');
      return outcome;
    }
    if (first === '-g') {
      groupCommand(state, argv.slice(1), outcome);
      return outcome;
    }
    if (first.startsWith('-')) fail(outcome, `ifconfig: fake ifconfig does not support ${first}\n`);
    if (argv.length === 1 && !/\d$/.test(first)) {
      // A name without a trailing digit is a group: print its members.
      const members = names.filter((name) => (state.interfaces[name]?.groups ?? []).includes(first));
      if (members.length > 0 || state.demote[first] !== undefined) {
        outcome.stdout = members.map((name) => formatInterface(name, state.interfaces[name] ?? { index: 0 })).join('');
        return outcome;
      }
    }
    const iface = state.interfaces[first];
    if (argv.length === 1) {
      if (iface === undefined) fail(outcome, `ifconfig: ${first}: no such interface\n`);
      outcome.stdout = formatInterface(first, iface);
      return outcome;
    }
    interfaceCommand(state, first, argv.slice(1), outcome);
    return outcome;
  } catch (error) {
    if (!(error instanceof ExitError)) throw error;
    outcome.exitCode = 1;
    outcome.changed = false;
    outcome.kernelLog = [];
    return outcome;
  }
}
