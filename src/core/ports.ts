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

/** What the core needs from a log: pino's shape, without depending on pino. */
export interface LogPort {
  info(obj: object, msg?: string): void;
  info(msg: string): void;
  warn(obj: object, msg?: string): void;
  warn(msg: string): void;
  error(obj: object, msg?: string): void;
  error(msg: string): void;
  debug(obj: object, msg?: string): void;
  debug(msg: string): void;
}

/** One timed step of a claim, for the outcome record and the benchmark. */
export interface ClaimStep {
  step: 'locate' | 'wait-pending' | 'detach' | 'wait-gone' | 'attach' | 'wait-visible' | 'move' | 'wait-moved';
  ms: number;
  detail?: string;
}

export interface AddressOutcome {
  address: string;
  /** The MAC that held the address before the claim; null when it was on no vMAC. */
  from: string | null;
  result: 'already-here' | 'moved' | 'attached' | 'failed' | 'cancelled';
  steps: ClaimStep[];
  error?: Record<string, unknown>;
}

export interface ClaimRequest {
  addresses: string[];
  /** The MAC the addresses must end on (this router's NIC). */
  mac: string;
  /** Name sent as virtualMachineName; null = keep the old holder's, else the hostname. */
  vmName: string | null;
}

export interface ClaimContext {
  /** Aborts at the claim's deadline. */
  signal: AbortSignal;
  deadline: number;
  /**
   * Called before every mutating call (fresh) and between polls (an answer up to
   * `maxAgeMs` old will do): throws a CarpOvhError with isCanceled when this
   * router must stop (no longer MASTER, or superseded).
   */
  guard(options?: { maxAgeMs?: number }): Promise<void>;
  log: LogPort;
}

/** Where an address is routed now, as far as the provider can tell. */
export interface Placement {
  address: string;
  /** MAC (virtual-mac), or null when the address is attached nowhere. */
  holder: string | null;
}

/** One mutating call a claim would send, in order (`--dry-run`). */
export interface PlannedCall {
  address: string;
  /** Where the address is now (a MAC, a server, an instance); null when routed nowhere. */
  from: string | null;
  /** Where the claim would put it. */
  to: string;
  method: 'POST' | 'DELETE' | 'PUT';
  path: string;
  body?: Record<string, unknown>;
}

/** One way of making OVH route a VIP to a router (virtual MAC today; IP move, Public Cloud later). */
export interface FailoverProvider {
  claim(request: ClaimRequest, ctx: ClaimContext): Promise<AddressOutcome[]>;
  locate(addresses: string[], options?: { signal?: AbortSignal }): Promise<Placement[]>;
  /**
   * `--dry-run`: the same reads as the claim (locate, what it checks before its
   * first change), then the mutating calls it would send, in order, without
   * sending any. Throws, as the claim would fail, when the move cannot be done.
   */
  plan?(request: ClaimRequest, ctx: ClaimContext): Promise<PlannedCall[]>;
}
