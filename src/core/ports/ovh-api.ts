import type { FailoverEntry } from '../../config/types.ts';
import type { Placement } from './provider.ts';

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

/** The OVH calls doctor makes, bound to one set of credentials. */
export interface OvhProbe {
  readonly apiRoot: string;
  clockOffset(signal: AbortSignal): Promise<number>;
  currentCredential(signal: AbortSignal): Promise<OvhCredentialInfo>;
  get(path: string, signal: AbortSignal): Promise<unknown>;
  close(): void;
}

/** The OVH API as the health probes use it: the clock, and where the VIPs are routed. */
export interface OvhProbeSession {
  /** Server time minus local time, in seconds, from /auth/time. */
  clockOffset(signal: AbortSignal): Promise<number>;
  /** Where every address of these entries is routed now, each asked through its entry's provider. */
  locate(entries: readonly FailoverEntry[], signal: AbortSignal): Promise<Placement[]>;
  close(): void;
}
