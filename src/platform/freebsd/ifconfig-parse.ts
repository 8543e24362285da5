import { isIPv4, isIPv6 } from 'node:net';
import type { CarpState } from '../../core/ports/index.ts';
import type { CarpInterface, CarpVhid } from './types.ts';
import { CarpOvhError } from '../../errors.ts';

/**
 * Parser of FreeBSD `ifconfig [IFACE]` output, 13.x and 14.x alike:
 *
 *   vmx1: flags=1008843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST,LOWER_UP> metric 0 mtu 1500
 *   	ether 00:50:56:09:3c:f2
 *   	inet 51.68.252.230 netmask 0xffffffff broadcast 51.68.252.230 vhid 2
 *   	inet6 2001:db8::1 prefixlen 64 vhid 2
 *   	carp: MASTER vhid 2 advbase 1 advskew 100
 *   	      peer 224.0.0.18 peer6 ff02::12          (14.x only)
 *
 * Only what carp-ovh needs is kept; lines it does not know (options, media, nd6…)
 * are skipped, but anything that breaks the shape it relies on is an error, never
 * a guess: a wrong answer here would move a VIP.
 */

const HEADER = /^(\S+): flags=[0-9a-f]+(?:<[^>]*>)?(?:\s|$)/;
const CARP_LINE = /^carp: (\S+) vhid (\d+) advbase (\d+) advskew (\d+)(?:\s|$)/;
const MAC = /^[0-9a-f]{2}(?::[0-9a-f]{2}){5}$/i;
const CARP_STATES: readonly CarpState[] = ['INIT', 'BACKUP', 'MASTER'];

function quote(line: string): string {
  return JSON.stringify(line.length > 120 ? `${line.slice(0, 120)}…` : line);
}

function bad(message: string): CarpOvhError {
  return new CarpOvhError(`unexpected ifconfig output: ${message}`, { source: 'platform', badInput: true });
}

function parseVhid(text: string | undefined, line: string): number {
  const vhid = text !== undefined && /^\d{1,3}$/.test(text) ? Number(text) : Number.NaN;
  if (!(vhid >= 1 && vhid <= 255)) throw bad(`vhid must be 1-255 in ${quote(line)}`);
  return vhid;
}

interface Block {
  name: string;
  ether: string | null;
  vhids: CarpVhid[];
  inet: string[];
  /** vhid → addresses, joined with the carp lines at the end (addresses come first). */
  addresses: Map<number, string[]>;
}

function addAddress(block: Block, tokens: string[], line: string): void {
  const family = tokens[0];
  const raw = tokens[1];
  if (raw === undefined) throw bad(`address missing in ${quote(line)}`);
  // Link-local addresses carry their zone: fe80::1%vmx1.
  const addr = family === 'inet6' ? raw.replace(/%.*$/, '') : raw;
  const valid = family === 'inet' ? isIPv4(addr) : isIPv6(addr);
  if (!valid) throw bad(`not an ${family === 'inet' ? 'IPv4' : 'IPv6'} address in ${quote(line)}`);
  if (family === 'inet') block.inet.push(addr);
  const at = tokens.indexOf('vhid', 2);
  if (at === -1) return;
  const vhid = parseVhid(tokens[at + 1], line);
  const list = block.addresses.get(vhid) ?? [];
  list.push(addr);
  block.addresses.set(vhid, list);
}

function addCarp(block: Block, line: string): void {
  const match = CARP_LINE.exec(line);
  if (match === null) throw bad(`cannot read the carp line ${quote(line)}`);
  const state = CARP_STATES.find((candidate) => candidate === match[1]);
  if (state === undefined) throw bad(`unknown CARP state in ${quote(line)}`);
  const vhid = parseVhid(match[2], line);
  if (block.vhids.some((entry) => entry.vhid === vhid)) throw bad(`vhid ${vhid} listed twice on ${block.name}`);
  block.vhids.push({ vhid, state, advbase: Number(match[3]), advskew: Number(match[4]), addresses: [] });
}

function addDetail(block: Block, line: string): void {
  const tokens = line.split(/\s+/);
  switch (tokens[0]) {
    case 'ether': {
      const mac = tokens[1] ?? '';
      if (!MAC.test(mac)) throw bad(`not a MAC address in ${quote(line)}`);
      block.ether ??= mac.toLowerCase();
      return;
    }
    case 'inet':
    case 'inet6':
      addAddress(block, tokens, line);
      return;
    case 'carp:':
      addCarp(block, line);
      return;
    default:
      return; // options, media, status, nd6, peer, groups…: not needed
  }
}

function finish(block: Block): CarpInterface {
  // An address whose vhid has no carp line (destroyed between the two kernel
  // queries ifconfig makes) is dropped: without a state it cannot be claimed.
  const vhids = block.vhids.map((entry) => ({ ...entry, addresses: block.addresses.get(entry.vhid) ?? [] }));
  return { name: block.name, ether: block.ether, vhids, inet: block.inet };
}

/** Every interface in the output (`ifconfig` with no argument lists them all). */
export function parseIfconfigAll(text: string): CarpInterface[] {
  const result: CarpInterface[] = [];
  let block: Block | undefined;
  for (const rawLine of text.split(/\r?\n/)) {
    if (rawLine.trim() === '') continue;
    if (!/^\s/.test(rawLine)) {
      const header = HEADER.exec(rawLine);
      if (header === null) throw bad(`expected "NAME: flags=…", got ${quote(rawLine)}`);
      if (block !== undefined) result.push(finish(block));
      block = { name: header[1] ?? '', ether: null, vhids: [], inet: [], addresses: new Map() };
      continue;
    }
    if (block === undefined) throw bad(`detail line before any interface header: ${quote(rawLine)}`);
    addDetail(block, rawLine.trim());
  }
  if (block !== undefined) result.push(finish(block));
  if (result.length === 0) throw bad('it is empty');
  return result;
}

/** The output of `ifconfig NAME`: exactly that one interface. */
export function parseIfconfig(text: string, name: string): CarpInterface {
  const all = parseIfconfigAll(text);
  const found = all.find((entry) => entry.name === name);
  if (found === undefined) throw bad(`asked for ${name}, got ${all.map((entry) => entry.name).join(', ')}`);
  if (all.length > 1) throw bad(`asked for ${name}, got ${all.length} interfaces`);
  return found;
}
