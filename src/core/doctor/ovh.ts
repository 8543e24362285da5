import type { Config } from '../../config/types.ts';
import { describeError } from '../../errors.ts';
import { ago, fail, pass, skip, warn } from './checklist.ts';
import type { Check, OvhCredentialInfo, OvhProbe } from './types.ts';

/** Every vMAC of one dedicated server with the addresses OVH routes to it. */
export type VmacMap = Map<string, string[]>;

export interface OvhFindings {
  checks: Check[];
  /** Per server: its vMACs, or null when they could not be read. */
  servers: Map<string, VmacMap | null>;
  /** Why placement could not be read, when it could not. */
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

/** The least-privilege rules (docs/operations.md lists them) and a call each one grants. */
function neededCalls(server: string, mac: string, address: string): Array<{ method: string; path: string; rule: string }> {
  const base = `/dedicated/server/${server}`;
  return [
    { method: 'GET', path: `${base}/virtualMac/${mac}/virtualAddress`, rule: 'GET /dedicated/server/*' },
    { method: 'GET', path: `${base}/task/1`, rule: 'GET /dedicated/server/*' },
    { method: 'POST', path: `${base}/virtualMac/${mac}/virtualAddress`, rule: 'POST /dedicated/server/*/virtualMac/*' },
    { method: 'DELETE', path: `${base}/virtualMac/${mac}/virtualAddress/${address}`, rule: 'DELETE /dedicated/server/*/virtualMac/*' },
  ];
}

/** OVH's access-rule wildcard: `*` is any run of characters, `/` included. */
function ruleGrants(rule: { method?: string; path?: string }, method: string, path: string): boolean {
  if (typeof rule.method !== 'string' || typeof rule.path !== 'string' || rule.method.toUpperCase() !== method) return false;
  const body = rule.path
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`).test(path);
}

function authFix(error: unknown): string {
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

function serversOf(config: Config): string[] {
  return [...new Set(config.failover.flatMap((entry) => (entry.server === undefined ? [] : [entry.server])))];
}

/** The OVH checks from step `from` on, all skipped for one reason, after those already `done`. */
export function skippedOvh(config: Config, why: string, from: (typeof STEPS)[number][0], done: Check[] = []): OvhFindings {
  const servers = serversOf(config);
  const steps = STEPS.slice(STEPS.findIndex(([id]) => id === from));
  return {
    checks: [
      ...done,
      ...steps.map(([id, title]) => skip('ovh', id, title, why)),
      ...servers.map((server) => skip('ovh', `ovh.read:${server}`, `vMACs of ${server}`, why)),
    ],
    servers: new Map(servers.map((server) => [server, null])),
    unavailable: why,
  };
}

export async function ovhChecks(config: Config, probe: OvhProbe, signal: AbortSignal, now: number): Promise<OvhFindings> {
  const checks: Check[] = [];
  const servers = new Map<string, VmacMap | null>();
  const serverNames = serversOf(config);

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
    return skippedOvh(config, 'the OVH API is unreachable', 'ovh.credential', checks);
  }

  // Credential
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
    if (unreachable(error)) return skippedOvh(config, 'the OVH API is unreachable', 'ovh.grants', checks);
    const { status } = factsOf(error);
    if (status === 400 || status === 401 || status === 403) return skippedOvh(config, 'OVH refuses the keys', 'ovh.grants', checks);
  }

  checks.push(grantsCheck(config, credential));

  // Reads: the GETs the claim makes first.
  for (const server of serverNames) {
    try {
      servers.set(server, await readServer(probe, server, signal));
      const vmacs = servers.get(server);
      checks.push(pass('ovh', `ovh.read:${server}`, `vMACs of ${server}`, `${vmacs?.size ?? 0} vMACs read`));
    } catch (error) {
      servers.set(server, null);
      const { status, errorCode } = factsOf(error);
      if (errorCode === 'NOT_GRANTED_CALL') {
        checks.push(
          fail(
            'ovh',
            `ovh.read:${server}`,
            `vMACs of ${server}`,
            `OVH refuses the reads the claim needs: ${describeError(error)}`,
            'add the access rule GET /dedicated/server/* (a new consumer key: rules cannot be added to an existing one).',
          ),
        );
      } else if (status === 404) {
        checks.push(
          fail(
            'ovh',
            `ovh.read:${server}`,
            `vMACs of ${server}`,
            `OVH knows no dedicated server ${server}: ${describeError(error)}`,
            'set failover[].server to the service name of the server hosting the routers (ns….ip-….eu).',
          ),
        );
      } else {
        checks.push(fail('ovh', `ovh.read:${server}`, `vMACs of ${server}`, describeError(error), authFix(error)));
      }
    }
  }

  const failedReads = serverNames.filter((server) => servers.get(server) === null);
  return { checks, servers, unavailable: failedReads.length === 0 ? null : `the vMACs of ${failedReads.join(', ')} could not be read` };
}

function grantsCheck(config: Config, credential: OvhCredentialInfo | null): Check {
  const id = 'ovh.grants';
  const title = 'OVH access rules';
  if (credential === null || !Array.isArray(credential.rules)) {
    return warn('ovh', id, title, "OVH did not list the key's access rules", "check the key's rules in the OVH console (docs/operations.md lists them).");
  }
  const rules = credential.rules;
  const missing = new Set<string>();
  for (const entry of config.failover) {
    if (entry.server === undefined) continue;
    const mac = entry.mac ?? '00:00:5e:00:01:01';
    for (const call of neededCalls(entry.server, mac, entry.addresses[0] ?? '192.0.2.1')) {
      if (!rules.some((rule) => ruleGrants(rule, call.method, call.path))) missing.add(call.rule);
    }
  }
  if (missing.size > 0) {
    const list = [...missing].join(', ');
    return fail(
      'ovh',
      id,
      title,
      `the consumer key lacks ${list}: the claim would stop at that call, with the VIP possibly detached`,
      `create a consumer key that also has ${list} and store it in Vault.`,
    );
  }
  return pass('ovh', id, title, 'the key may read, detach and attach virtual MAC addresses');
}

async function readServer(probe: OvhProbe, server: string, signal: AbortSignal): Promise<VmacMap> {
  const base = `/dedicated/server/${server}`;
  const macs = stringList(await probe.get(`${base}/virtualMac`, signal), `GET ${base}/virtualMac`).map((mac) => mac.toLowerCase());
  const lists = await Promise.all(
    macs.map(async (mac) => {
      try {
        return [mac, stringList(await probe.get(`${base}/virtualMac/${mac}/virtualAddress`, signal), `GET ${base}/virtualMac/${mac}/virtualAddress`)] as const;
      } catch (error) {
        // Deleted between the two reads: OVH removes a vMAC with its last IP.
        if (factsOf(error).status === 404) return [mac, [] as string[]] as const;
        throw error;
      }
    }),
  );
  return new Map(lists.map(([mac, list]) => [mac, [...list]]));
}

function stringList(value: unknown, what: string): string[] {
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string'))
    throw new Error(`OVH answered ${what} with something that is not a list of strings`);
  return value as string[];
}
