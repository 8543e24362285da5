import type { FailoverEntry } from '../../config/types.ts';
import type { FailoverProvider, Placement } from './provider.ts';

/**
 * The account-level OVH calls the core makes besides claiming: the clock (every
 * signature depends on it) and what the consumer key may do. Errors are
 * CarpOvhErrors.
 */

export interface OvhCredentialInfo {
  status?: string;
  rules?: Array<{ method?: string; path?: string }>;
  expiration?: string | null;
}

/** The OVH calls doctor makes, bound to one set of credentials; the rest goes through each entry's provider. */
export interface OvhProbe {
  readonly apiRoot: string;
  clockOffset(signal: AbortSignal): Promise<number>;
  currentCredential(signal: AbortSignal): Promise<OvhCredentialInfo>;
  /** The provider of an entry (by its `via`), on this session's client. */
  providerOf(entry: FailoverEntry): FailoverProvider;
  close(): void;
}

/** An entry to locate, with this router's MAC for it when the platform showed one. */
export interface LocateTarget {
  entry: FailoverEntry;
  mac: string | null;
}

/** The OVH API as the health probes use it: the clock, and where the VIPs are routed. */
export interface OvhProbeSession {
  /** Server time minus local time, in seconds, from /auth/time. */
  clockOffset(signal: AbortSignal): Promise<number>;
  /** Where every address of these entries is routed now, each asked through its entry's provider (`here` against `mac`). */
  locate(targets: readonly LocateTarget[], signal: AbortSignal): Promise<Placement[]>;
  /** What locating these entries reads (each provider's `reads`, once each). */
  reads(entries: readonly FailoverEntry[]): string[];
  close(): void;
}
