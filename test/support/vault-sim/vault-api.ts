import { randomUUID } from 'node:crypto';
import type { SimClock } from './clock.ts';
import type { KvStore } from './kv.ts';
import type { PolicyStore } from './policies.ts';
import { errorAnswer, okAnswer, PERMISSION_DENIED, POLICY_DENIED, SEALED, type Answer } from './responses.ts';
import { SYSTEM_DEFAULT_TTL, type SimToken, type TokenStore } from './tokens.ts';
import type { HealthState, RoleOptions } from './types.ts';

export interface SimRequest {
  method: string;
  /** URL path without the query string, e.g. /v1/apps/data/x. */
  path: string;
  query: URLSearchParams;
  token: string | null;
  namespace: string | null;
  body: unknown;
}

export interface VaultApiDeps {
  clock: SimClock;
  kv: KvStore;
  policies: PolicyStore;
  tokens: TokenStore;
  namespace: string | null;
  enforceNamespace: boolean;
  version: string;
  clusterName: string;
}

/** Paths the `default` policy grants every token. */
const DEFAULT_POLICY_PATHS = new Set(['auth/token/lookup-self', 'auth/token/revoke-self', 'auth/token/renew-self']);

/**
 * The Vault HTTP API as a pure function of the simulator state: the same order of
 * checks as Vault (seal, namespace, authentication, ACL, then the mount's backend).
 */
export class VaultApi {
  sealed = false;
  health: HealthState = { initialized: true, standby: false, performanceStandby: false, drSecondary: false };
  readonly roles = new Map<string, RoleOptions>();
  logins = 0;
  loginFailures = 0;
  secretReads = 0;
  readonly #clusterId = randomUUID();
  readonly #deps: VaultApiDeps;

  constructor(deps: VaultApiDeps) {
    this.#deps = deps;
  }

  handle(req: SimRequest): Answer {
    if (!req.path.startsWith('/v1/')) return errorAnswer(404);
    const path = req.path.slice('/v1/'.length).replace(/\/+$/, '');
    const method = req.method.toUpperCase();

    if (path === 'sys/health') return this.#health(req.query, method);
    if (path === 'sys/seal-status') return this.#sealStatus();
    if (this.sealed || !this.health.initialized) return SEALED;
    if (!this.#namespaceMatches(req.namespace)) return PERMISSION_DENIED;

    if (path === 'auth/approle/login' && (method === 'POST' || method === 'PUT')) return this.#login(req);

    const token = req.token === null ? null : this.#deps.tokens.find(req.token);
    if (token === null || !this.#tokenNamespaceMatches(token, req.namespace)) return PERMISSION_DENIED;

    if (DEFAULT_POLICY_PATHS.has(path)) return this.#tokenSelf(path, method, token);
    if (path.startsWith('sys/internal/ui/mounts/')) return this.#uiMount(path.slice('sys/internal/ui/mounts/'.length), token);

    const isRoot = token.policies.includes('root');
    if (!isRoot && (method !== 'GET' || !this.#deps.policies.allowsRead(token.policies, path))) {
      return errorAnswer(403, POLICY_DENIED);
    }
    return this.#kv(path, method, req.query);
  }

  #namespaceMatches(namespace: string | null): boolean {
    if (!this.#deps.enforceNamespace) return true;
    return trimNs(namespace) === trimNs(this.#deps.namespace);
  }

  #tokenNamespaceMatches(token: SimToken, namespace: string | null): boolean {
    return !this.#deps.enforceNamespace || trimNs(token.namespace) === trimNs(namespace);
  }

  #health(query: URLSearchParams, method: string): Answer {
    const h = this.health;
    const code = (name: string, fallback: number): number => {
      const n = Number(query.get(name) ?? Number.NaN);
      return Number.isInteger(n) && n > 0 ? n : fallback;
    };
    const flag = (name: string): boolean => ['1', 't', 'true', 'T', 'TRUE', 'True'].includes(query.get(name) ?? '');
    let status = code('activecode', 200);
    if (!h.initialized) status = code('uninitcode', 501);
    else if (this.sealed) status = code('sealedcode', 503);
    else if (h.drSecondary) status = code('drsecondarycode', 472);
    else if (h.performanceStandby) {
      if (!flag('perfstandbyok')) status = code('performancestandbycode', 473);
    } else if (h.standby && !flag('standbyok')) status = code('standbycode', 429);

    const down = this.sealed || !h.initialized;
    const body = {
      initialized: h.initialized,
      sealed: down,
      standby: down || h.standby || h.performanceStandby,
      performance_standby: !down && h.performanceStandby,
      replication_performance_mode: down ? 'unknown' : 'disabled',
      replication_dr_mode: down ? 'unknown' : h.drSecondary ? 'secondary' : 'disabled',
      server_time_utc: Math.floor(this.#deps.clock.now() / 1000),
      version: this.#deps.version,
      // Vault only knows its cluster once unsealed.
      ...(down ? {} : { cluster_name: this.#deps.clusterName, cluster_id: this.#clusterId }),
    };
    return { status, body: method === 'HEAD' ? null : body };
  }

  #sealStatus(): Answer {
    const down = this.sealed || !this.health.initialized;
    return {
      status: 200,
      body: {
        type: 'shamir',
        initialized: this.health.initialized,
        sealed: down,
        t: 1,
        n: 1,
        progress: 0,
        nonce: '',
        version: this.#deps.version,
        migration: false,
        recovery_seal: false,
        storage_type: 'inmem',
        ...(down ? {} : { cluster_name: this.#deps.clusterName, cluster_id: this.#clusterId }),
      },
    };
  }

  #login(req: SimRequest): Answer {
    const body = isRecord(req.body) ? req.body : {};
    const roleId = typeof body.role_id === 'string' ? body.role_id.trim() : '';
    const fail = (status: number, message: string): Answer => {
      this.loginFailures += 1;
      return errorAnswer(status, message);
    };
    // Vault answers a missing role_id with a plain Go error, hence 500.
    if (roleId === '') return fail(500, 'missing role_id');
    const entry = [...this.roles.entries()].find(([, role]) => role.role_id === roleId);
    if (entry === undefined) return fail(400, 'invalid role or secret ID');
    const [name, role] = entry;
    if (role.bind_secret_id !== false) {
      const secretId = typeof body.secret_id === 'string' ? body.secret_id.trim() : '';
      if (secretId === '') return fail(400, 'missing secret_id');
      if (secretId !== role.secret_id) return fail(400, 'invalid role or secret ID');
    }
    const token = this.#deps.tokens.issue({
      policies: role.policies ?? [],
      ttlSeconds: role.token_ttl ?? 300,
      namespace: trimNs(req.namespace) || null,
      path: 'auth/approle/login',
      displayName: 'approle',
      meta: { role_name: name },
    });
    this.logins += 1;
    return okAnswer({
      auth: {
        ...authFields(token),
        metadata: { role_name: name },
        entity_id: randomUUID(),
        token_type: 'service',
        orphan: true,
        mfa_requirement: null,
        num_uses: 0,
      },
    });
  }

  #tokenSelf(path: string, method: string, token: SimToken): Answer {
    const tokens = this.#deps.tokens;
    if (path === 'auth/token/lookup-self' && (method === 'GET' || method === 'POST' || method === 'PUT')) {
      const root = token.ttlSeconds === 0;
      return okAnswer({
        data: {
          accessor: token.accessor,
          creation_time: Math.floor(token.issuedAt / 1000),
          creation_ttl: token.ttlSeconds,
          display_name: token.displayName,
          entity_id: '',
          expire_time: root ? null : new Date(token.expiresAt).toISOString(),
          explicit_max_ttl: 0,
          id: token.id,
          issue_time: new Date(token.issuedAt).toISOString(),
          meta: token.meta,
          num_uses: 0,
          orphan: true,
          path: token.path,
          policies: token.policies,
          renewable: !root,
          ttl: tokens.remainingSeconds(token),
          type: 'service',
        },
      });
    }
    if (path === 'auth/token/revoke-self' && (method === 'POST' || method === 'PUT')) {
      // Vault accepts revoke-self for the root token too, but then it is gone for good; tests rely on it staying.
      tokens.revoke(token.id);
      return { status: 204, body: null };
    }
    if (path === 'auth/token/renew-self' && (method === 'POST' || method === 'PUT')) {
      if (token.ttlSeconds === 0) return errorAnswer(400, 'lease is not renewable');
      token.expiresAt = this.#deps.clock.now() + token.ttlSeconds * 1000;
      return okAnswer({ auth: authFields(token) });
    }
    return errorAnswer(405, 'unsupported operation');
  }

  #uiMount(rawPath: string, token: SimToken): Answer {
    const found = this.#deps.kv.resolve(rawPath.replace(/\/+$/, ''));
    if (found === null || !this.#deps.policies.allowsAnythingUnder(token.policies, `${found.mount}/`)) {
      return errorAnswer(
        403,
        `preflight capability check returned 403, please ensure client's policies grant access to path "${rawPath.replace(/\/?$/, '/')}"`,
      );
    }
    return okAnswer({
      data: {
        accessor: found.accessor,
        config: { default_lease_ttl: 0, force_no_cache: false, max_lease_ttl: 0 },
        description: '',
        external_entropy_access: false,
        local: false,
        options: { version: String(found.version) },
        path: `${found.mount}/`,
        seal_wrap: false,
        type: 'kv',
        uuid: randomUUID(),
      },
    });
  }

  #kv(path: string, method: string, query: URLSearchParams): Answer {
    const found = this.#deps.kv.resolve(path);
    if (found === null) return errorAnswer(404, `no handler for route "${path}". route entry not found.`);
    if (method !== 'GET') return errorAnswer(405, 'unsupported operation');
    const { kv } = this.#deps;

    if (found.version === 1) {
      const secret = kv.read(found.mount, found.rest);
      if (secret === null) return errorAnswer(404);
      this.secretReads += 1;
      return okAnswer({ data: secret.data, lease_duration: SYSTEM_DEFAULT_TTL, mount_type: 'kv' });
    }

    if (found.rest.startsWith('data/')) {
      const secret = kv.read(found.mount, found.rest.slice('data/'.length), Number(query.get('version') ?? 0) || 0);
      if (secret === null) return errorAnswer(404);
      this.secretReads += 1;
      return okAnswer({
        data: {
          data: secret.data,
          metadata: {
            created_time: secret.createdTime,
            custom_metadata: null,
            deletion_time: '',
            destroyed: false,
            version: secret.version,
          },
        },
        mount_type: 'kv',
      });
    }
    if (found.rest.startsWith('metadata/')) {
      const versions = kv.versions(found.mount, found.rest.slice('metadata/'.length));
      const last = versions.at(-1);
      if (last === undefined) return errorAnswer(404);
      return okAnswer({
        data: {
          cas_required: false,
          created_time: versions[0]?.createdTime,
          current_version: last.version,
          custom_metadata: null,
          delete_version_after: '0s',
          max_versions: 0,
          oldest_version: 0,
          updated_time: last.createdTime,
          versions: Object.fromEntries(versions.map((v) => [String(v.version), { created_time: v.createdTime, deletion_time: '', destroyed: false }])),
        },
        mount_type: 'kv',
      });
    }
    // What the KV v2 plugin answers for a v1-style path: 404 and a warning, no error text.
    return {
      status: 404,
      body: {
        errors: [],
        warnings: [
          "Invalid path for a versioned K/V secrets engine. See the API docs for the appropriate API endpoints to use. If using the Vault CLI, use 'vault kv get' for this operation.",
        ],
      },
    };
  }
}

function trimNs(namespace: string | null): string {
  return (namespace ?? '').replace(/^\/+|\/+$/g, '');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The `auth` block a login and a renewal share. */
function authFields(token: SimToken): Record<string, unknown> {
  return {
    client_token: token.id,
    accessor: token.accessor,
    policies: token.policies,
    token_policies: token.policies,
    lease_duration: token.ttlSeconds,
    renewable: true,
  };
}
