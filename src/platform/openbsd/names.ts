import { CarpOvhError } from '../../errors.ts';

/**
 * OpenBSD interface names are a driver name and a unit number (carp0, vio0,
 * vlan42), at most IFNAMSIZ-1 = 15 characters. Checked before a name reaches argv.
 */
export const INTERFACE_RULE = 'a driver name and a unit number such as carp0 or vio0, at most 15 characters';
const INTERFACE = /^[a-z]+[0-9]+$/;

export function isOpenBsdInterface(name: string): boolean {
  return INTERFACE.test(name) && name.length <= 15;
}

/** JSON-quoted and short: safe in any message, whatever the input held. */
export function shown(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text).replace(/[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, '?');
}

export function validateInterface(name: string): string {
  if (!isOpenBsdInterface(name)) {
    throw new CarpOvhError(`invalid interface name ${shown(name)}: expected ${INTERFACE_RULE}`, { source: 'platform', badInput: true });
  }
  return name;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export function validateIpv4(address: string): string {
  if (!IPV4.test(address)) {
    throw new CarpOvhError(`invalid IPv4 address ${shown(address)}`, { source: 'platform', badInput: true });
  }
  return address;
}
