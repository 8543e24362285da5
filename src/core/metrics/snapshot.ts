/**
 * What the metrics show, kept in the state dir (metrics.json) so that counters
 * survive restarts and every process (the check loop, each claim worker) adds
 * to the same totals. Only bounded values are kept: names from the config, the
 * probes' names, fixed sets of results, methods and status codes.
 */

export const METRICS_FILE = 'metrics.json';

export interface ProbeSeen {
  name: string;
  ok: boolean;
  durationMs: number;
}

export interface VipSeen {
  /** The failover entry's key (`2@vmx1`), so a VIP can be joined with its entry's MASTER state. */
  key: string;
  here: boolean;
  at: string;
}

export interface MetricsSnapshot {
  version: 1;
  counters: {
    /** Claim result → count. */
    claims: Record<string, number>;
    /** `METHOD CODE` → count. */
    ovhRequests: Record<string, number>;
  };
  check: { at: string; up: boolean; probes: ProbeSeen[] } | null;
  /** The platform as last read: MASTER per entry key, the demotion counter, the demotion reasons held. */
  platform: { at: string; masters: Record<string, boolean>; demotion: number | null; reasons: string[] } | null;
  /** Address → whether OVH routed it to this router when last looked at. */
  vips: Record<string, VipSeen>;
  claim: { at: string; result: string; durationMs: number } | null;
  lastClaimSuccessAt: string | null;
  /** The TTL Vault granted to the last login; null when never logged in (or a file source). */
  vaultTokenTtlSeconds: number | null;
}

export function emptySnapshot(): MetricsSnapshot {
  return {
    version: 1,
    counters: { claims: {}, ovhRequests: {} },
    check: null,
    platform: null,
    vips: {},
    claim: null,
    lastClaimSuccessAt: null,
    vaultTokenTtlSeconds: null,
  };
}

/** A file from an older release, or edited by hand: keep what is usable, drop the rest. */
export function coerceSnapshot(value: unknown): MetricsSnapshot {
  const out = emptySnapshot();
  if (typeof value !== 'object' || value === null) return out;
  const raw = value as Partial<MetricsSnapshot>;
  out.counters.claims = countsOf(raw.counters?.claims);
  out.counters.ovhRequests = countsOf(raw.counters?.ovhRequests);
  if (isObject(raw.check) && typeof raw.check.at === 'string' && Array.isArray(raw.check.probes)) out.check = raw.check;
  if (isObject(raw.platform) && typeof raw.platform.at === 'string' && isObject(raw.platform.masters) && Array.isArray(raw.platform.reasons))
    out.platform = raw.platform;
  if (isObject(raw.vips)) out.vips = raw.vips;
  if (isObject(raw.claim) && typeof raw.claim.durationMs === 'number') out.claim = raw.claim;
  if (typeof raw.lastClaimSuccessAt === 'string') out.lastClaimSuccessAt = raw.lastClaimSuccessAt;
  if (typeof raw.vaultTokenTtlSeconds === 'number') out.vaultTokenTtlSeconds = raw.vaultTokenTtlSeconds;
  return out;
}

function countsOf(value: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  if (!isObject(value)) return out;
  for (const [key, count] of Object.entries(value)) if (typeof count === 'number' && Number.isFinite(count) && count >= 0) out[key] = count;
  return out;
}

function isObject(value: unknown): value is Record<string, unknown> & object {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const CODES = new Set([200, 201, 204, 400, 401, 403, 404, 409, 429, 500, 502, 503, 504]);

/**
 * The `code` label: the status codes the claim and the probes meet have their own
 * value; any other is clamped to its class (`3xx`), and no HTTP answer at all
 * (timeout, reset, refused) is `none`. The label set stays small whatever OVH sends.
 */
export function codeLabel(status: number | null): string {
  if (status === null || !Number.isInteger(status) || status < 100 || status > 599) return 'none';
  return CODES.has(status) ? String(status) : `${Math.floor(status / 100)}xx`;
}

const METHODS = new Set(['GET', 'POST', 'PUT', 'DELETE']);

export function methodLabel(method: string): string {
  return METHODS.has(method) ? method : 'OTHER';
}
