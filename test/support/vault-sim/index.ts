import { CA_PATH, serverTls } from '../certs.ts';
import { OVH_APPLICATION_KEY, OVH_APPLICATION_SECRET, OVH_CONSUMER_KEY, VAULT_ROLE_ID, VAULT_ROOT_TOKEN, VAULT_SECRET_ID } from '../secrets.ts';
import { SimClock } from './clock.ts';
import { FaultSet } from './faults.ts';
import { KvStore } from './kv.ts';
import { PolicyStore } from './policies.ts';
import { SimServer } from './server.ts';
import { TokenStore } from './tokens.ts';
import type { KvVersion, RoleOptions, VaultSimulator, VaultSimulatorOptions } from './types.ts';
import { VaultApi } from './vault-api.ts';

export type * from './types.ts';

/** The layout the Nasqueron routers use (reference/vault.md). */
export const DEFAULT_MOUNT = 'apps';
export const DEFAULT_SECRET_PATH = 'network/carp-hyper-001-switch';
export const DEFAULT_ROLE = 'router';
export const DEFAULT_POLICY = 'read';

export function defaultOvhSecret(): Record<string, string> {
  return {
    application_key: OVH_APPLICATION_KEY,
    application_secret: OVH_APPLICATION_SECRET,
    consumer_key: OVH_CONSUMER_KEY,
  };
}

/**
 * Starts an HTTPS Vault/OpenBao stand-in on 127.0.0.1 (random port). Without
 * options it serves the deployed layout: AppRole `router` (VAULT_ROLE_ID /
 * VAULT_SECRET_ID, policy `read`, 300 s tokens), KV v2 mount `apps` holding the
 * OVH test credentials at network/carp-hyper-001-switch, root token VAULT_ROOT_TOKEN.
 */
export async function startVaultSimulator(options: VaultSimulatorOptions = {}): Promise<VaultSimulator> {
  const clock = new SimClock(options.secondMs ?? 1000);
  const kv = new KvStore();
  const policies = new PolicyStore();
  const tokens = new TokenStore(clock);
  const faults = new FaultSet();
  const namespace = options.namespace ?? null;
  const api = new VaultApi({
    clock,
    kv,
    policies,
    tokens,
    namespace,
    enforceNamespace: options.enforceNamespace ?? false,
    version: options.version ?? '1.15.6',
    clusterName: options.clusterName ?? 'vault-cluster-sim',
  });

  const rootToken = options.rootToken === undefined ? VAULT_ROOT_TOKEN : options.rootToken;
  tokens.setRoot(rootToken, namespace);
  api.sealed = options.sealed ?? false;
  Object.assign(api.health, options.health ?? {});

  const policyDefs = options.policies ?? { [DEFAULT_POLICY]: [`${DEFAULT_MOUNT}/data/${DEFAULT_SECRET_PATH}`] };
  for (const [name, paths] of Object.entries(policyDefs)) policies.set(name, paths);
  const roles: Record<string, RoleOptions> = options.roles ?? {
    [DEFAULT_ROLE]: { role_id: VAULT_ROLE_ID, secret_id: VAULT_SECRET_ID, policies: [DEFAULT_POLICY], token_ttl: 300 },
  };
  for (const [name, role] of Object.entries(roles)) api.roles.set(name, { ...role });
  const mounts: Record<string, KvVersion> = options.mounts ?? { [DEFAULT_MOUNT]: 2 };
  for (const [mount, version] of Object.entries(mounts)) kv.addMount(mount, version);
  const secrets = options.secrets ?? { [DEFAULT_MOUNT]: { [DEFAULT_SECRET_PATH]: defaultOvhSecret() } };
  for (const [mount, byPath] of Object.entries(secrets)) {
    for (const [path, data] of Object.entries(byPath)) kv.set(mount, path, data, clock.now());
  }

  const server = new SimServer({
    api,
    faults,
    clock,
    latencyMs: options.latencyMs ?? 0,
    tls: serverTls(options.tls ?? 'trusted'),
  });
  const port = await server.listen();

  return {
    url: `https://127.0.0.1:${port}`,
    port,
    caPath: CA_PATH,
    rootToken,
    get requests() {
      return server.requests;
    },
    get counters() {
      return {
        requests: server.requestCount,
        logins: api.logins,
        loginFailures: api.loginFailures,
        tokensIssued: tokens.issued,
        revocations: tokens.revocations,
        expirations: tokens.expirations,
        secretReads: api.secretReads,
        liveTokens: tokens.liveCount(),
      };
    },
    seal: () => {
      api.sealed = true;
    },
    unseal: () => {
      api.sealed = false;
    },
    setHealth: (state) => {
      Object.assign(api.health, state);
    },
    addMount: (mount, version) => kv.addMount(mount, version),
    setSecret: (mount, path, data) => kv.set(mount, path, data, clock.now()),
    deleteSecret: (mount, path) => kv.delete(mount, path),
    setPolicy: (name, paths) => policies.set(name, paths),
    setRole: (name, role) => {
      api.roles.set(name, { ...role });
    },
    setRoleCredentials: (name, credentials) => {
      const role = api.roles.get(name);
      if (role === undefined) throw new Error(`vault-sim: no role ${name}`);
      api.roles.set(name, { ...role, ...credentials });
    },
    issueToken: (opts = {}) =>
      tokens.issue({
        policies: opts.policies ?? [DEFAULT_POLICY],
        ttlSeconds: opts.ttlSeconds ?? 300,
        namespace,
        path: 'auth/token/create',
        displayName: 'token',
      }).id,
    expireToken: (token) => tokens.expire(token),
    advanceClock: (seconds) => clock.advance(seconds),
    injectFault: (rule) => faults.add(rule),
    clearFaults: () => faults.clear(),
    clearLog: () => {
      server.requests.length = 0;
    },
    close: () => server.close(),
  };
}
