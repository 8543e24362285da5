import type { FailoverEntry } from '../../config/types.ts';
import type { Check } from './checks.ts';
import type { LogPort } from './log.ts';
import type { CarpState } from './platform.ts';

/**
 * One way of making OVH route a VIP to this router, chosen per failover entry by
 * `via` (src/providers/…). The core claims and locates through it and never
 * names an OVH path.
 */

/** One timed step of a claim, for the outcome record and the benchmark. */
export interface ClaimStep {
  step: 'locate' | 'wait-pending' | 'detach' | 'wait-gone' | 'attach' | 'wait-visible' | 'move' | 'wait-moved';
  ms: number;
  detail?: string;
}

export interface AddressOutcome {
  address: string;
  /** What held the address before the claim (a MAC for virtual-mac); null when nothing did. */
  from: string | null;
  result: 'already-here' | 'moved' | 'attached' | 'failed' | 'cancelled';
  steps: ClaimStep[];
  error?: Record<string, unknown>;
}

export interface ClaimRequest {
  addresses: string[];
  /** This router's MAC for the entry (what a virtual-mac claim attaches to). */
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
  /** What OVH routes it to: a vMAC (virtual-mac), a server (ip-move), an instance id (cloud); null when routed nowhere. */
  holder: string | null;
  /**
   * Whether that is this router: false when routed nowhere, null when the
   * provider cannot tell (virtual-mac without our MAC). A provider that leaves
   * it out is read as virtual-mac is: here when the holder is our MAC
   * (src/core/our-mac.ts `isHere`).
   */
  here?: boolean | null;
  /** Human words for status and doctor, e.g. "vMAC 02:00:00:aa:bb:cc" or "server ns3….eu". */
  where?: string;
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

export interface LocateOptions {
  signal?: AbortSignal;
  /** This router's MAC for the entry, when the platform showed one: what `here` means for virtual-mac. */
  mac?: string | null;
}

/** One call a claim makes and the OVH access rule that grants it (doctor's `ovh.grants`). */
export interface NeededCall {
  method: string;
  path: string;
  /** As written in the consumer key's rules, e.g. `POST /dedicated/server/*\/virtualMac/*`. */
  rule: string;
  /** The `via` whose claim makes the call; doctor sets it to list the rules per provider in use. */
  via?: string;
}

/** One failover entry as doctor hands it to its provider: what the platform showed for it. */
export interface ProviderDoctorEntry {
  entry: FailoverEntry;
  /** What the platform's events call it (`2@vmx1`), for check ids and messages. */
  key: string;
  /** null when the platform could not tell. */
  state: CarpState | 'absent' | null;
  mac: string | null;
}

/** What doctor adds to the addresses it asks a provider about. */
export interface ProviderDoctorContext {
  /** Every entry this provider serves, as the platform shows it. */
  entries: ProviderDoctorEntry[];
  /** Every address of the configuration: a holder that keeps none of them keeps something else. */
  allAddresses: ReadonlySet<string>;
  /**
   * Set when OVH cannot be asked (no keys, API unreachable): the provider should
   * make no call and report its checks as not run for this reason (doctor turns
   * whatever it reports then into "not run").
   */
  unavailable: string | null;
}

/** One way of making OVH route a VIP to this router; one per failover entry, chosen by `via`. */
export interface FailoverProvider {
  /** What `locate` reads, for messages: "the vMACs of ns3000000.ip-1-2-3.eu". */
  readonly reads?: string;
  claim(request: ClaimRequest, ctx: ClaimContext): Promise<AddressOutcome[]>;
  /** Where each address is routed now; `here` says whether that is this router (against `options.mac` for virtual-mac). */
  locate(addresses: string[], options?: LocateOptions): Promise<Placement[]>;
  /**
   * Doctor's checks this provider owns, for these addresses: the reads a claim
   * starts with (`ovh.read:…`, the key's rules when the provider checks them
   * itself), then the `placement` of each address. Never throws: a failure is
   * a failing check. `context` tells the state and MAC of each entry here.
   */
  doctorChecks(addresses: string[], signal: AbortSignal, context?: ProviderDoctorContext): Promise<Check[]>;
  /**
   * The calls a claim of these entries makes, one per access rule it needs, for
   * doctor's combined `ovh.grants` check; no I/O. A provider that checks the
   * key's rules in its own doctorChecks leaves this out.
   */
  neededCalls?(entries: readonly ProviderDoctorEntry[]): NeededCall[];
  /**
   * `--dry-run`: the same reads as the claim (locate, what it checks before its
   * first change), then the mutating calls it would send, in order, without
   * sending any. Throws, as the claim would fail, when the move cannot be done.
   */
  plan?(request: ClaimRequest, ctx: ClaimContext): Promise<PlannedCall[]>;
}
