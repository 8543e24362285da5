import type { CarpState } from '../../core/ports/index.ts';
import { CarpOvhError } from '../../errors.ts';

/**
 * Reads what OpenBSD's ifconfig prints (sbin/ifconfig: status(), carp_status(),
 * in_status(), printgroupattribs()). Only the lines carp-ovh needs are read, and
 * each is matched whole, so a format it does not know fails loudly instead of
 * being half understood.
 */

export interface OpenBsdCarp {
  state: CarpState;
  carpdev: string;
  vhid: number;
  advbase: number;
  advskew: number;
}

export interface OpenBsdInterface {
  name: string;
  /** `lladdr` (lower case); carp(4) shows its virtual 00:00:5e:00:01:vhid here. */
  lladdr: string | null;
  carp: OpenBsdCarp | null;
  /** The `status:` word: active, no carrier, master, backup, invalid. */
  status: string | null;
  /** IPv4 addresses, in order. */
  inet: string[];
  /** The raw carp line, for status and doctor. */
  carpLine: string | null;
}

function bad(message: string): CarpOvhError {
  return new CarpOvhError(message, { source: 'platform', badInput: true });
}

const HEADER = /^([a-z]+[0-9]+): flags=[0-9a-f]+<[A-Z0-9_,]*> mtu \d+$/;
const LLADDR = /^\tlladdr ((?:[0-9a-f]{2}:){5}[0-9a-f]{2})$/i;
const CARP = /^\tcarp: (MASTER|BACKUP|INIT) carpdev ([a-z]+[0-9]+) vhid (\d{1,3}) advbase (\d{1,3}) advskew (\d{1,3})$/;
const STATUS = /^\tstatus: (.+)$/;
const INET = /^\tinet ((?:\d{1,3}\.){3}\d{1,3}) netmask 0x[0-9a-f]{8}\b/;

export function parseInterface(text: string, name: string): OpenBsdInterface {
  const lines = text.split('\n').filter((line) => line !== '');
  const header = HEADER.exec(lines[0] ?? '');
  if (header === null || header[1] !== name) {
    throw bad(`ifconfig ${name} printed ${JSON.stringify((lines[0] ?? '').slice(0, 120))}, not "${name}: flags=… mtu N"`);
  }
  const found: OpenBsdInterface = { name, lladdr: null, carp: null, status: null, inet: [], carpLine: null };
  for (const line of lines.slice(1)) {
    if (!line.startsWith('\t')) throw bad(`ifconfig ${name} printed more than one interface`);
    const lladdr = LLADDR.exec(line);
    if (lladdr?.[1] !== undefined) {
      found.lladdr = lladdr[1].toLowerCase();
      continue;
    }
    if (line.startsWith('\tcarp: ')) {
      const carp = CARP.exec(line);
      if (carp === null) throw bad(`ifconfig ${name}: cannot read the carp line ${JSON.stringify(line.trim().slice(0, 120))}`);
      found.carp = {
        state: carp[1] as CarpState,
        carpdev: carp[2] ?? '',
        vhid: Number(carp[3]),
        advbase: Number(carp[4]),
        advskew: Number(carp[5]),
      };
      found.carpLine = line.trim();
      continue;
    }
    const status = STATUS.exec(line);
    if (status?.[1] !== undefined) {
      found.status = status[1];
      continue;
    }
    const inet = INET.exec(line);
    if (inet?.[1] !== undefined) found.inet.push(inet[1]);
  }
  // carp(4) reports its state twice (the carp line and the link state): they must agree.
  if (found.carp !== null && found.status !== null) {
    const expected = { MASTER: 'master', BACKUP: 'backup', INIT: 'invalid' }[found.carp.state];
    if (found.status !== expected) {
      throw bad(`ifconfig ${name} shows carp ${found.carp.state} but status ${JSON.stringify(found.status)}`);
    }
  }
  return found;
}

/** `ifconfig -g carp` → `carp: carp demote count N`. */
export function parseDemoteCount(text: string, group: string): number {
  const match = new RegExp(`^${group}: carp demote count (\\d{1,3})\\n?$`).exec(text);
  const value = match?.[1] === undefined ? Number.NaN : Number(match[1]);
  if (!(value >= 0 && value <= 255)) {
    throw bad(`ifconfig -g ${group} printed ${JSON.stringify(text.slice(0, 120))}, not "${group}: carp demote count N" with N in 0..255`);
  }
  return value;
}
