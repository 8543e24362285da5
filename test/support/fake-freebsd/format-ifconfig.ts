import type { FakeInet, FakeInet6, FakeInterface, FreeBsdVersion } from './types.ts';

/**
 * `ifconfig IFACE` as FreeBSD prints it. 14.x (netlink: ifconfig_netlink.c,
 * af_inet.c, af_inet6.c, carp.c) and 13.x (ioctl) differ in three ways that matter:
 * 14 adds the LOWER_UP flag, prints a `peer … peer6 …` line under every `carp:`
 * line, and groups addresses by family (inet before inet6).
 */

const IFF_NAMES_14 = [
  'UP',
  'BROADCAST',
  'DEBUG',
  'LOOPBACK',
  'POINTOPOINT',
  'NEEDSEPOCH',
  'RUNNING',
  'NOARP',
  'PROMISC',
  'ALLMULTI',
  'DRV_OACTIVE',
  'SIMPLEX',
  'LINK0',
  'LINK1',
  'LINK2',
  'MULTICAST',
  'CANTCONFIG',
  'PPROMISC',
  'MONITOR',
  'STATICARP',
  'STICKYARP',
  'DYING',
  'RENAMING',
  'NOGROUP',
  'LOWER_UP',
];
const IFF_BROADCAST = 0x2;
/** IFF_NETLINK_1: only the netlink interface (14.x) reports it. */
const LOWER_UP = 0x1000000;

export const DEFAULT_FLAGS = 0x1008843; // UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST,LOWER_UP

function formatFlags(flags: number, version: FreeBsdVersion): string {
  const value = version === 14 ? flags >>> 0 : (flags & ~LOWER_UP) >>> 0;
  const names: string[] = [];
  for (let bit = 0; bit < 32; bit++) {
    if ((value & (1 << bit)) === 0) continue;
    let name = IFF_NAMES_14[bit] ?? `IFF_${bit}`;
    if (version === 13 && name === 'DRV_OACTIVE') name = 'OACTIVE';
    names.push(name);
  }
  return `flags=${value.toString(16)}${names.length > 0 ? `<${names.join(',')}>` : ''}`;
}

function ipv4ToInt(addr: string): number {
  const parts = addr.split('.').map((part) => Number.parseInt(part, 10));
  if (parts.length !== 4 || parts.some((part) => !Number.isInteger(part) || part < 0 || part > 255)) {
    throw new Error(`fake-freebsd: bad IPv4 address in state: ${addr}`);
  }
  return parts.reduce((acc, part) => ((acc << 8) | part) >>> 0, 0);
}

function intToIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => String((value >>> shift) & 0xff)).join('.');
}

function maskOf(netmask: string | number): number {
  if (typeof netmask === 'number') {
    if (!Number.isInteger(netmask) || netmask < 0 || netmask > 32) throw new Error(`fake-freebsd: bad prefix length ${netmask}`);
    return netmask === 0 ? 0 : (0xffffffff << (32 - netmask)) >>> 0;
  }
  if (/^0x[0-9a-f]{1,8}$/i.test(netmask)) return Number.parseInt(netmask.slice(2), 16) >>> 0;
  return ipv4ToInt(netmask);
}

function formatInet(inet: FakeInet, flags: number): string {
  const mask = maskOf(inet.netmask);
  let line = `\tinet ${inet.addr} netmask 0x${mask.toString(16)}`;
  if ((flags & IFF_BROADCAST) !== 0 && mask !== 0) {
    const broadcast = inet.broadcast ?? intToIpv4((ipv4ToInt(inet.addr) | ~mask) >>> 0);
    line += ` broadcast ${broadcast}`;
  }
  if (inet.vhid !== undefined && inet.vhid !== 0) line += ` vhid ${inet.vhid}`;
  return line;
}

function formatInet6(name: string, inet6: FakeInet6): string {
  const scoped = inet6.scopeid !== undefined && !inet6.addr.includes('%') ? `${inet6.addr}%${name}` : inet6.addr;
  let line = `\tinet6 ${scoped} prefixlen ${inet6.prefixlen}`;
  for (const flag of inet6.flags ?? []) line += ` ${flag}`;
  if (inet6.scopeid !== undefined && inet6.scopeid !== 0) line += ` scopeid 0x${inet6.scopeid.toString(16)}`;
  if (inet6.vhid !== undefined && inet6.vhid !== 0) line += ` vhid ${inet6.vhid}`;
  return line;
}

export function formatInterface(name: string, iface: FakeInterface, version: FreeBsdVersion): string {
  const flags = iface.flags ?? DEFAULT_FLAGS;
  const lines = [`${name}: ${formatFlags(flags, version)} metric ${iface.metric ?? 0} mtu ${iface.mtu ?? 1500}`];
  if (iface.description !== undefined) lines.push(`\tdescription: ${iface.description}`);
  if (iface.options !== undefined) lines.push(`\toptions=${iface.options}`);
  if (iface.ether !== undefined && iface.ether !== null) lines.push(`\tether ${iface.ether}`);
  for (const inet of iface.inet ?? []) lines.push(formatInet(inet, flags));
  for (const inet6 of iface.inet6 ?? []) lines.push(formatInet6(name, inet6));
  for (const carp of iface.carp ?? []) {
    lines.push(`\tcarp: ${carp.state} vhid ${carp.vhid} advbase ${carp.advbase} advskew ${carp.advskew}`);
    if (version === 14) lines.push(`\t      peer ${carp.peer ?? '224.0.0.18'} peer6 ${carp.peer6 ?? 'ff02::12'}`);
  }
  const media = iface.media === undefined ? 'Ethernet autoselect' : iface.media;
  const status = iface.status === undefined ? 'active' : iface.status;
  if (media !== null) lines.push(`\tmedia: ${media}`);
  if (status !== null) lines.push(`\tstatus: ${status}`);
  const hasInet6 = (iface.inet6 ?? []).length > 0;
  const nd6 = iface.nd6 === undefined ? (hasInet6 ? '21<PERFORMNUD,AUTO_LINKLOCAL>' : '29<PERFORMNUD,IFDISABLED,AUTO_LINKLOCAL>') : iface.nd6;
  if (nd6 !== null) lines.push(`\tnd6 options=${nd6}`);
  return `${lines.join('\n')}\n`;
}
