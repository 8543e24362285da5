import { isIPv4, isIPv6 } from 'node:net';
import { CarpOvhError } from '../../errors.ts';

/**
 * Reader of iproute2's `ip -j addr show dev IF`: a JSON array with one object
 * per interface, carrying the link fields (`ifname`, `address`, `link_type`,
 * `operstate`) and `addr_info` (`family`, `local`, `prefixlen`). One call gives
 * both what carp-ovh needs: whether keepalived has put the VIPs on the
 * interface (it adds them on MASTER, removes them otherwise) and the link-layer
 * address OVH must route them to (the same `address` `ip -j link show` prints).
 *
 * Anything that does not have that shape is an error, never a guess: a wrong
 * answer here would move a VIP.
 */

export interface LinkAddresses {
  ifname: string;
  /** The link-layer address in lower case; null on links without one (tun, wireguard). */
  mac: string | null;
  linkType: string | null;
  operstate: string | null;
  /** Every inet/inet6 `local` address on the interface. */
  addresses: string[];
}

const MAC = /^[0-9a-f]{2}(?::[0-9a-f]{2}){5}$/i;

function bad(message: string): CarpOvhError {
  return new CarpOvhError(`unexpected ip -j output: ${message}`, { source: 'platform', badInput: true });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalString(object: Record<string, unknown>, key: string): string | null {
  const value = object[key];
  if (value === undefined) return null;
  if (typeof value !== 'string') throw bad(`"${key}" is ${typeof value}, not a string`);
  return value;
}

function parseAddress(info: unknown, index: number): string | null {
  if (!isRecord(info)) throw bad(`addr_info[${index}] is not an object`);
  const family = info.family;
  // iproute2 prints other families (mpls, link) on some links: not addresses of ours.
  if (family !== 'inet' && family !== 'inet6') return null;
  const local = info.local;
  if (typeof local !== 'string') throw bad(`addr_info[${index}] has no "local" address`);
  const valid = family === 'inet' ? isIPv4(local) : isIPv6(local);
  if (!valid) throw bad(`addr_info[${index}].local ${JSON.stringify(local.slice(0, 64))} is not an ${family === 'inet' ? 'IPv4' : 'IPv6'} address`);
  return local;
}

/** The one interface `ip -j addr show dev IFACE` printed. */
export function parseIpAddrJson(text: string, iface: string): LinkAddresses {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    const start = text.trim().slice(0, 60);
    throw bad(`not JSON (${JSON.stringify(start)}); is platform.ip iproute2's ip, 4.14 or newer?`);
  }
  if (!Array.isArray(parsed)) throw bad('expected a JSON array of interfaces');
  if (parsed.length !== 1) throw bad(`asked for ${iface}, got ${parsed.length} interfaces`);
  const link: unknown = parsed[0];
  if (!isRecord(link)) throw bad('the interface is not a JSON object');
  const ifname = optionalString(link, 'ifname');
  if (ifname !== iface) throw bad(`asked for ${iface}, got ${JSON.stringify(ifname)}`);
  const address = optionalString(link, 'address');
  const linkType = optionalString(link, 'link_type');
  let mac: string | null = null;
  if (linkType === 'ether' || (linkType === null && address !== null)) {
    if (address === null || !MAC.test(address)) throw bad(`${iface} has no valid link-layer address (${JSON.stringify(address)})`);
    mac = address.toLowerCase();
  }
  const infos = link.addr_info ?? [];
  if (!Array.isArray(infos)) throw bad('"addr_info" is not an array');
  const addresses = infos.map(parseAddress).filter((value): value is string => value !== null);
  return { ifname, mac, linkType, operstate: optionalString(link, 'operstate'), addresses };
}
