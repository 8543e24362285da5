import type { LogPort } from './log.ts';

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
  /** What OVH routes it to (a MAC for virtual-mac), or null when it is routed nowhere. */
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
