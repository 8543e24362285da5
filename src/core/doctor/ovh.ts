import { describeError } from '../../errors.ts';
import { ago, fail, pass, skip, warn } from './checklist.ts';
import type { Check, NeededCall, OvhCredentialInfo, OvhProbe } from './types.ts';

/**
 * The account-level OVH checks: the clock (every signature depends on it), the
 * consumer key, and whether its access rules grant every call the providers say
 * a claim makes. What each provider reads and where it finds the VIPs are its
 * own checks (FailoverProvider.doctorChecks).
 */

export interface OvhFindings {
  checks: Check[];
  /** Why the providers cannot ask OVH, when they cannot. */
  unavailable: string | null;
}

const CLOCK_WARN_SEC = 5;
const CLOCK_FAIL_SEC = 150;
const EXPIRY_WARN_MS = 14 * 24 * 3600 * 1000;

interface ErrorFacts {
  status?: number;
  errorCode?: string;
  timedOut?: boolean;
}

function factsOf(error: unknown): ErrorFacts {
  return typeof error === 'object' && error !== null ? (error as ErrorFacts) : {};
}

/** OVH's access-rule wildcard: `*` is any run of characters, `/` included. */
export function ruleGrants(rule: { method?: string; path?: string }, method: string, path: string): boolean {
  if (typeof rule.method !== 'string' || typeof rule.path !== 'string' || rule.method.toUpperCase() !== method) return false;
  const body = rule.path
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`).test(path);
}

export function authFix(error: unknown): string {
  const { errorCode, status } = factsOf(error);
  if (errorCode === 'INVALID_SIGNATURE') return 'check application_secret in Vault, and the clock (ntpd).';
  if (errorCode === 'NOT_GRANTED_CALL') return 'create a consumer key with the rules in docs/operations.md and store it in Vault.';
  if (status === 401 || status === 403) return 'create a new consumer key (docs/operations.md) and store it in Vault.';
  return 'check the route to the OVH API and ovh.endpoint/ovh.url.';
}

function unreachable(error: unknown): boolean {
  const { status, timedOut } = factsOf(error);
  return status === 0 || status === undefined || timedOut === true;
}

const STEPS = [
  ['ovh.clock', 'clock vs OVH'],
  ['ovh.credential', 'OVH credential'],
  ['ovh.grants', 'OVH access rules'],
] as const;

/** The account checks from step `from` on, all skipped for one reason, after those already `done`. */
export function skippedOvh(why: string, from: (typeof STEPS)[number][0], done: Check[] = []): OvhFindings {
  const steps = STEPS.slice(STEPS.findIndex(([id]) => id === from));
  return { checks: [...done, ...steps.map(([id, title]) => skip('ovh', id, title, why))], unavailable: why };
}

export async function ovhChecks(probe: OvhProbe, needed: readonly NeededCall[], signal: AbortSignal, now: number): Promise<OvhFindings> {
  const checks: Check[] = [];

  // Clock, which is also the first contact.
  try {
    const offset = await probe.clockOffset(signal);
    const abs = Math.abs(offset);
    const detail = `this clock is ${abs}s ${offset >= 0 ? 'behind' : 'ahead of'} OVH's (${probe.apiRoot})`;
    if (abs > CLOCK_FAIL_SEC)
      checks.push(
        fail(
          'ovh',
          'ovh.clock',
          'clock vs OVH',
          `${detail}: OVH refuses signatures this far off unless every client corrects for it, and logs no longer line up`,
          'sync the clock: service ntpd start (ntpd_enable=YES, ntpd_sync_on_start=YES).',
        ),
      );
    else if (abs > CLOCK_WARN_SEC) checks.push(warn('ovh', 'ovh.clock', 'clock vs OVH', detail, 'sync the clock with ntpd.'));
    else checks.push(pass('ovh', 'ovh.clock', 'clock vs OVH', `offset ${offset}s (${probe.apiRoot})`));
  } catch (error) {
    checks.push(
      fail(
        'ovh',
        'ovh.clock',
        'OVH API reachable',
        `cannot reach ${probe.apiRoot}: ${describeError(error)}`,
        'check DNS, the route and firewall to the OVH API, and ovh.endpoint/ovh.url/ovh.ca.',
      ),
    );
    return skippedOvh('the OVH API is unreachable', 'ovh.credential', checks);
  }

  let credential: OvhCredentialInfo | null = null;
  try {
    credential = await probe.currentCredential(signal);
    const status = credential.status ?? 'unknown';
    const expiry = credential.expiration ?? null;
    const expiresAt = expiry === null ? null : Date.parse(expiry);
    if (status !== 'validated') {
      checks.push(
        fail(
          'ovh',
          'ovh.credential',
          'OVH credential',
          `the consumer key is ${status}`,
          'validate it, or create a new consumer key (docs/operations.md) and store it in Vault.',
        ),
      );
    } else if (expiresAt !== null && Number.isFinite(expiresAt) && expiresAt - now < EXPIRY_WARN_MS) {
      const when = expiresAt <= now ? `expired ${ago(expiresAt, now)}` : `expires ${expiry}`;
      checks.push(warn('ovh', 'ovh.credential', 'OVH credential', `validated, but ${when}`, 'create a new consumer key before then and store it in Vault.'));
    } else {
      checks.push(pass('ovh', 'ovh.credential', 'OVH credential', `validated, ${expiry === null ? 'never expires' : `expires ${expiry}`}`));
    }
  } catch (error) {
    const detail = unreachable(error) ? `cannot reach ${probe.apiRoot}: ${describeError(error)}` : `OVH refuses the keys: ${describeError(error)}`;
    checks.push(fail('ovh', 'ovh.credential', 'OVH credential', detail, authFix(error)));
    if (unreachable(error)) return skippedOvh('the OVH API is unreachable', 'ovh.grants', checks);
    const { status } = factsOf(error);
    if (status === 400 || status === 401 || status === 403) return skippedOvh('OVH refuses the keys', 'ovh.grants', checks);
  }

  checks.push(grantsCheck(credential, needed));
  return { checks, unavailable: null };
}

/** "virtual-mac: GET /dedicated/server/*, …; cloud: …": every rule the key needs, per provider in use. */
export function rulesByProvider(needed: readonly NeededCall[]): string {
  const byVia = new Map<string, Set<string>>();
  for (const call of needed) {
    const via = call.via ?? 'claim';
    byVia.set(via, (byVia.get(via) ?? new Set()).add(call.rule));
  }
  return [...byVia].map(([via, rules]) => `${via}: ${[...rules].join(', ')}`).join('; ');
}

function grantsCheck(credential: OvhCredentialInfo | null, needed: readonly NeededCall[]): Check {
  const id = 'ovh.grants';
  const title = 'OVH access rules';
  const list = rulesByProvider(needed);
  if (needed.length === 0) return warn('ovh', id, title, 'no provider in use listed the rules it needs', 'see docs/operations.md for the rules of each via.');
  if (credential === null || !Array.isArray(credential.rules)) {
    return warn(
      'ovh',
      id,
      title,
      `OVH did not list the key's access rules; a claim needs ${list}`,
      "check the key's rules in the OVH console (docs/operations.md lists them).",
    );
  }
  const rules = credential.rules;
  const missing = new Set<string>();
  for (const call of needed) if (!rules.some((rule) => ruleGrants(rule, call.method, call.path))) missing.add(call.rule);
  if (missing.size > 0) {
    const lacking = [...missing].join(', ');
    return fail(
      'ovh',
      id,
      title,
      `the consumer key lacks ${lacking}: the claim would stop at that call, with the VIP possibly detached (a claim needs ${list})`,
      `create a consumer key that also has ${lacking} and store it in Vault.`,
    );
  }
  return pass('ovh', id, title, `the key has every rule a claim needs (${list})`);
}
