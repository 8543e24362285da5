import { formatInterface } from './format-ifconfig.ts';
import { carpLogEnabled, emptyOutcome, type CommandOutcome } from './outcome.ts';
import type { FakeCarpState, FakeKernelState } from './types.ts';

/**
 * The subset of ifconfig(8) carp-ovh and its tests need: show one or all
 * interfaces, list names, and the carp(4) knobs `vhid N [state S] [advskew N] [advbase N]`.
 * Error texts are FreeBSD's (errx in ifconfig.c and carp.c).
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
