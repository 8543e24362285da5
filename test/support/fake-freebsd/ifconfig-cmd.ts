import { formatInterface } from './format-ifconfig.ts';
import { carpLogEnabled, emptyOutcome, type CommandOutcome } from './outcome.ts';
import type { FakeCarpState, FakeKernelState } from './types.ts';

/**
 * The subset of ifconfig(8) carp-ovh and its tests need: show one or all
 * interfaces, list names, the carp(4) knobs `vhid N [state S] [advskew N] [advbase N]`,
 * and IPv4 aliases `inet ADDR[/LEN] alias` and `inet ADDR -alias` (or `delete`).
 * Error texts are FreeBSD's (errx in ifconfig.c and carp.c; Perror("ioctl (SIOCDIFADDR)")
 * with the errno's text for an address change the kernel refuses).
 */

const CARP_MAXVHID = 255;
const STATES: readonly FakeCarpState[] = ['INIT', 'BACKUP', 'MASTER'];

class UsageError extends Error {}

function fail(message: string): never {
  throw new UsageError(message);
}

interface CarpRequest {
  vhid?: number;
  state?: FakeCarpState;
  advskew?: number;
  advbase?: number;
}

/** C atoi(): leading digits, 0 when there are none. */
function atoi(text: string): number {
  const match = /^\s*([+-]?\d+)/.exec(text);
  return match?.[1] === undefined ? 0 : Number.parseInt(match[1], 10);
}

function parseCarpArgs(args: readonly string[]): CarpRequest {
  const request: CarpRequest = {};
  for (let i = 0; i < args.length; i++) {
    const word = args[i] ?? '';
    if (!['vhid', 'state', 'advskew', 'advbase'].includes(word)) {
      fail(`fake ifconfig does not support '${word}'`);
    }
    const value = args[i + 1];
    if (value === undefined) fail(`'${word}' requires argument`);
    i++;
    if (word === 'vhid') {
      const vhid = atoi(value);
      if (vhid <= 0 || vhid > CARP_MAXVHID) fail(`vhid must be greater than 0 and less than ${CARP_MAXVHID}`);
      request.vhid = vhid;
      continue;
    }
    if (request.vhid === undefined) fail(`${word} requires vhid`);
    if (word === 'state') {
      const state = STATES.find((candidate) => candidate.toLowerCase() === value.toLowerCase());
      if (state === undefined) fail('unknown state');
      request.state = state;
    } else if (word === 'advskew') {
      request.advskew = atoi(value);
    } else {
      request.advbase = atoi(value);
    }
  }
  return request;
}

function applyCarp(state: FakeKernelState, name: string, request: CarpRequest, outcome: CommandOutcome): void {
  if (request.vhid === undefined) return;
  const iface = state.interfaces[name];
  if (iface === undefined) return;
  // carp_ioctl(SIOCSVH) refuses these with EINVAL, reported through err(1, "SIOCSVH").
  if ((request.advskew ?? 0) >= 255 || (request.advbase ?? 1) > 255) fail('SIOCSVH: Invalid argument');
  iface.carp ??= [];
  let carp = iface.carp.find((entry) => entry.vhid === request.vhid);
  if (carp === undefined) {
    carp = { vhid: request.vhid, state: 'INIT', advbase: 1, advskew: 0 };
    iface.carp.push(carp);
  }
  if (request.advskew !== undefined) carp.advskew = request.advskew;
  if (request.advbase !== undefined && request.advbase !== 0) carp.advbase = request.advbase;
  // carp_ioctl(SIOCSVH) acts on BACKUP and MASTER requests only, and never on a vhid in INIT
  // (its parent interface is down or net.inet.carp.allow=0).
  if (request.state !== undefined && carp.state !== 'INIT' && request.state !== 'INIT' && request.state !== carp.state) {
    if (carpLogEnabled(state.sysctls)) {
      outcome.kernelLog.push(`carp: ${carp.vhid}@${name}: ${carp.state} -> ${request.state} (user requested via ifconfig)`);
    }
    carp.state = request.state;
  }
  outcome.changed = true;
}

/** IPv4 dotted quad, each part 0..255 (what inet_aton takes from ifconfig's argument, minus its shorthand forms). */
function parseIpv4(text: string): string | null {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((part) => /^\d{1,3}$/.test(part) && Number(part) <= 255)) return null;
  return parts.map(Number).join('.');
}

/** Without a mask, the kernel (in_aifaddr_ioctl) still falls back to the address's class. */
function classfulPrefix(addr: string): number {
  const first = Number(addr.split('.')[0]);
  return first < 128 ? 8 : first < 192 ? 16 : first < 224 ? 24 : 32;
}

/**
 * `IF inet ADDR[/LEN] alias`: SIOCAIFADDR; an address already on the interface is
 * replaced (the kernel's in_aifaddr_ioctl deletes the old one first), so adding twice
 * succeeds. `IF inet ADDR -alias` / `delete`: SIOCDIFADDR; an address the interface
 * does not have is EADDRNOTAVAIL, which ifconfig reports and exits 1.
 */
function applyInet(state: FakeKernelState, name: string, args: readonly string[], outcome: CommandOutcome): void {
  const iface = state.interfaces[name];
  if (iface === undefined) return;
  const [spec = '', action, ...rest] = args;
  if (rest.length > 0 || (action !== 'alias' && action !== '-alias' && action !== 'delete')) {
    fail(`fake ifconfig supports only 'inet ADDR[/LEN] alias' and 'inet ADDR -alias', not 'inet ${args.join(' ')}'`);
  }
  const [text = '', len] = spec.split('/');
  const addr = parseIpv4(text);
  // in_getaddr(): errx(1, "%s: bad value", s) for what inet_aton() refuses.
  if (addr === null) fail(`${spec}: bad value`);
  const prefix = len === undefined ? classfulPrefix(addr) : /^\d{1,2}$/.test(len) && Number(len) <= 32 ? Number(len) : fail(`${spec}: bad value`);
  iface.inet ??= [];
  const at = iface.inet.findIndex((inet) => inet.addr === addr);
  if (action === 'alias') {
    if (at !== -1) iface.inet.splice(at, 1);
    iface.inet.push({ addr, netmask: prefix });
  } else {
    if (at === -1) fail("ioctl (SIOCDIFADDR): Can't assign requested address");
    iface.inet.splice(at, 1);
  }
  outcome.changed = true;
}

export function runIfconfig(state: FakeKernelState, argv: readonly string[]): CommandOutcome {
  const outcome = emptyOutcome();
  const names = Object.keys(state.interfaces);
  try {
    const first = argv[0];
    if (first === undefined || (first === '-a' && argv.length === 1)) {
      outcome.stdout = names.map((name) => formatInterface(name, state.interfaces[name] ?? {}, state.freebsdVersion)).join('');
      return outcome;
    }
    if (first === '-l' && argv.length === 1) {
      outcome.stdout = `${names.join(' ')}\n`;
      return outcome;
    }
    if (first.startsWith('-')) fail(`fake ifconfig supports only -a and -l, not '${first}'`);
    const iface = state.interfaces[first];
    if (iface === undefined) fail(`interface ${first} does not exist`);
    if (argv.length === 1) {
      outcome.stdout = formatInterface(first, iface, state.freebsdVersion);
      return outcome;
    }
    if (argv[1] === 'inet') {
      applyInet(state, first, argv.slice(2), outcome);
      return outcome;
    }
    applyCarp(state, first, parseCarpArgs(argv.slice(1)), outcome);
    return outcome;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    outcome.stderr = `ifconfig: ${error.message}\n`;
    outcome.exitCode = 1;
    outcome.changed = false;
    return outcome;
  }
}
