import type { CarpState } from '../../core/ports/index.ts';

/** What FreeBSD's `ifconfig IFACE` shows of CARP. */

export interface CarpVhid {
  vhid: number;
  state: CarpState;
  advbase: number;
  advskew: number;
  /** Addresses configured with this vhid on the interface (inet/inet6 … vhid N). */
  addresses: string[];
}

export interface CarpInterface {
  name: string;
  /** The NIC's own MAC (`ether`), the one OVH must route the VIP to; null when none is printed. */
  ether: string | null;
  vhids: CarpVhid[];
  /** Every IPv4 address on the interface, CARP's and the others (an `alias` VIP is one of these). */
  inet: string[];
}

/** FreeBSD's CARP commands, as the platform adapter (platform.ts) and doctor use them. */
export interface FreeBsdCarp {
  /** null when the interface does not exist. */
  readInterface(name: string): Promise<CarpInterface | null>;
  readDemotion(): Promise<number>;
  /** Adds `delta` to net.inet.carp.demotion (a sysctl write adds); returns the new total. */
  addDemotion(delta: number): Promise<number>;
  readSysctl(name: string): Promise<string>;
  /** `ifconfig IFACE inet ADDR/32 alias`. */
  addAlias(iface: string, address: string): Promise<void>;
  /** `ifconfig IFACE inet ADDR -alias`. */
  removeAlias(iface: string, address: string): Promise<void>;
}
