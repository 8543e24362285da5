/**
 * The small interfaces the core depends on. Adapters (src/platform, src/providers,
 * src/secrets) implement them; the core never imports an adapter directly.
 */

export type CarpState = 'MASTER' | 'BACKUP' | 'INIT';

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
}

/** The operating system's CARP: state, the MAC OVH must know, the demotion counter. */
export interface Carp {
  /** null when the interface does not exist. */
  readInterface(name: string): Promise<CarpInterface | null>;
  readDemotion(): Promise<number>;
  /** Adds `delta` to the demotion counter (FreeBSD semantics); returns the new total. */
  addDemotion(delta: number): Promise<number>;
  readSysctl(name: string): Promise<string>;
}

export interface OvhCredentials {
  applicationKey: string;
  applicationSecret: string;
  consumerKey: string;
}

export interface SecretSource {
  /** Human description for logs: never contains a secret. */
  readonly description: string;
  readOvhCredentials(options?: { signal?: AbortSignal }): Promise<OvhCredentials>;
}
