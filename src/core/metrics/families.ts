import type { MetricFamily, Sample } from './exposition.ts';
import type { MetricsSnapshot } from './snapshot.ts';

/**
 * The metric families carp-ovh exposes, built from the snapshot. Names follow
 * Prometheus' conventions: the `carp_ovh_` prefix, base units in the name
 * (`_seconds`), `_total` on counters only. Every label value comes from the
 * config (entry keys, addresses), the probe names, or a fixed set.
 */

/** The configured failover entries, as metrics name them. */
export interface EntryLabels {
  key: string;
  addresses: readonly string[];
}

export const CLAIM_RESULTS = ['ok', 'failed', 'cancelled', 'nothing-to-do', 'busy'] as const;
/** Reasons always shown (0 or 1), so an alert on one of them has a series to watch. */
export const STANDARD_REASONS = ['vault', 'ovh-api', 'claim', 'maintenance'] as const;
const MAX_LABEL = 64;

export function buildFamilies(snapshot: MetricsSnapshot, entries: readonly EntryLabels[]): MetricFamily[] {
  const families: MetricFamily[] = [];
  const add = (name: string, type: MetricFamily['type'], help: string, samples: Sample[]): void => {
    families.push({ name, type, help, samples });
  };
  const check = snapshot.check;
  const platform = snapshot.platform;

  add('carp_ovh_up', 'gauge', 'Whether the last health check ran to its end (1) or could not run (0).', [{ value: check?.up === true ? 1 : 0 }]);
  add(
    'carp_ovh_check_timestamp_seconds',
    'gauge',
    'When the last health check ran, in seconds since the epoch.',
    check === null ? [] : [{ value: seconds(check.at) }],
  );

  const masters: Sample[] = [];
  for (const entry of entries) {
    const master = platform?.masters[entry.key];
    if (master !== undefined) masters.push({ labels: { key: entry.key }, value: master ? 1 : 0 });
  }
  add('carp_ovh_master', 'gauge', 'Whether CARP has this router MASTER for the failover entry (1) or not (0), as last read.', masters);
  add(
    'carp_ovh_demotion',
    'gauge',
    "The platform's CARP demotion value as last read (carp-ovh's share and anyone else's).",
    platform?.demotion === null || platform === null ? [] : [{ value: platform.demotion }],
  );

  const held = new Set(platform?.reasons ?? []);
  const shown = new Set<string>([...STANDARD_REASONS, ...(check?.probes.map((p) => p.name) ?? []), ...held]);
  add(
    'carp_ovh_demotion_reason',
    'gauge',
    'Whether this reason for demoting the router holds (1) or not (0).',
    platform === null ? [] : [...shown].sort().map((reason) => ({ labels: { reason: clamp(reason) }, value: held.has(reason) ? 1 : 0 })),
  );

  add(
    'carp_ovh_probe_up',
    'gauge',
    'Whether the probe or service script passed (1) or failed or did not run (0) in the last check.',
    check?.probes.map((p) => ({ labels: { probe: clamp(p.name) }, value: p.ok ? 1 : 0 })) ?? [],
  );
  add(
    'carp_ovh_probe_duration_seconds',
    'gauge',
    'How long the probe or service script took in the last check.',
    check?.probes.map((p) => ({ labels: { probe: clamp(p.name) }, value: p.durationMs / 1000 })) ?? [],
  );

  const vips: Sample[] = [];
  for (const entry of entries) {
    for (const address of entry.addresses) {
      const seen = snapshot.vips[address];
      if (seen !== undefined) vips.push({ labels: { key: entry.key, address }, value: seen.here ? 1 : 0 });
    }
  }
  add('carp_ovh_vip_here', 'gauge', 'Whether OVH routed the failover IP to this router (1) or elsewhere (0) when last looked at.', vips);

  add(
    'carp_ovh_claims_total',
    'counter',
    'Claims run on this router, by result.',
    CLAIM_RESULTS.map((result) => ({ labels: { result }, value: snapshot.counters.claims[result] ?? 0 })),
  );
  add(
    'carp_ovh_claim_duration_seconds',
    'gauge',
    'How long the last claim took.',
    snapshot.claim === null ? [] : [{ value: snapshot.claim.durationMs / 1000 }],
  );
  add(
    'carp_ovh_claim_last_success_timestamp_seconds',
    'gauge',
    'When a claim last succeeded, in seconds since the epoch.',
    snapshot.lastClaimSuccessAt === null ? [] : [{ value: seconds(snapshot.lastClaimSuccessAt) }],
  );

  const requests = Object.entries(snapshot.counters.ovhRequests)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .flatMap(([key, value]): Sample[] => {
      const [method, code] = key.split(' ');
      return method === undefined || code === undefined ? [] : [{ labels: { method, code }, value }];
    });
  add(
    'carp_ovh_ovh_requests_total',
    'counter',
    'HTTP requests sent to the OVH API, by method and status code (a class such as 3xx for rare codes, none when no answer came).',
    requests,
  );
  add(
    'carp_ovh_vault_token_ttl_seconds',
    'gauge',
    'The time to live Vault granted the token of the last login.',
    snapshot.vaultTokenTtlSeconds === null ? [] : [{ value: snapshot.vaultTokenTtlSeconds }],
  );
  return families;
}

function seconds(iso: string): number {
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms / 1000 : Number.NaN;
}

/** Probe names are file names in health.scripts: bounded in number; bounded in length here. */
function clamp(value: string): string {
  return value.length > MAX_LABEL ? value.slice(0, MAX_LABEL) : value;
}
