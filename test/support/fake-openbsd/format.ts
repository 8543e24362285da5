import type { ObsdInet, ObsdInterface } from './types.ts';

/**
 * `ifconfig IFACE` as OpenBSD prints it (sbin/ifconfig/ifconfig.c status() and
 * in_status(), carp.c carp_status()): flags and mtu, lladdr, index/priority/llprio,
 * the carp line, groups, media, status, then the inet addresses.
 */

const IFF_NAMES = [
  'UP',
  'BROADCAST',
  'DEBUG',
  'LOOPBACK',
  'POINTOPOINT',
  'STATICARP',
  'RUNNING',
  'NOARP',
  'PROMISC',
  'ALLMULTI',
  'OACTIVE',
  'SIMPLEX',
  'LINK0',
  'LINK1',
  'LINK2',
  'MULTICAST',
];
export const IFF_UP = 0x1;
const IFF_BROADCAST = 0x2;
export const IFF_RUNNING = 0x40;
export const DEFAULT_FLAGS = 0x8843;

function formatFlags(flags: number): string {
  const names = IFF_NAMES.filter((_, bit) => (flags & (1 << bit)) !== 0);
  return `flags=${flags.toString(16)}<${names.join(',')}>`;
}

export function ipv4ToInt(addr: string): number {
  const parts = addr.split('.').map((part) => Number.parseInt(part, 10));
  if (parts.length !== 4 || parts.some((part) => !Number.isInteger(part) || part < 0 || part > 255)) {
    throw new Error(`fake-openbsd: bad IPv4 address ${addr}`);
  }
  return parts.reduce((acc, part) => ((acc << 8) | part) >>> 0, 0);
}

function intToIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => String((value >>> shift) & 0xff)).join('.');
}

export function prefixMask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

function formatInet(inet: ObsdInet, flags: number): string {
  const mask = prefixMask(inet.prefix);
  let line = `\tinet ${inet.addr} netmask 0x${mask.toString(16).padStart(8, '0')}`;
  if ((flags & IFF_BROADCAST) !== 0) {
    line += ` broadcast ${inet.broadcast ?? intToIpv4((ipv4ToInt(inet.addr) | ~mask) >>> 0)}`;
  }
  return line;
}

/** carp(4) reports its state as the link state: MASTER up, BACKUP down, INIT invalid. */
function carpLinkState(state: string): string {
  if (state === 'MASTER') return 'master';
  if (state === 'BACKUP') return 'backup';
  return 'invalid';
}

export function formatInterface(name: string, iface: ObsdInterface): string {
  const flags = iface.flags ?? DEFAULT_FLAGS;
  const lines = [`${name}: ${formatFlags(flags)} mtu ${iface.mtu ?? 1500}`];
  if (iface.lladdr !== undefined && iface.lladdr !== null) lines.push(`\tlladdr ${iface.lladdr}`);
  lines.push(`\tindex ${iface.index} priority ${iface.priority ?? (iface.carp === undefined ? 0 : 15)} llprio ${iface.llprio ?? 3}`);
  const carp = iface.carp;
  if (carp !== undefined) {
    lines.push(`\tcarp: ${carp.state} carpdev ${carp.carpdev} vhid ${carp.vhid} advbase ${carp.advbase} advskew ${carp.advskew}`);
  }
  if ((iface.groups ?? []).length > 0) lines.push(`\tgroups: ${(iface.groups ?? []).join(' ')}`);
  const media = iface.media === undefined ? (carp === undefined ? 'Ethernet autoselect' : null) : iface.media;
  if (media !== null) lines.push(`\tmedia: ${media}`);
  lines.push(`\tstatus: ${carp === undefined ? (iface.status ?? 'active') : carpLinkState(carp.state)}`);
  for (const inet of iface.inet ?? []) lines.push(formatInet(inet, flags));
  return `${lines.join('\n')}\n`;
}
