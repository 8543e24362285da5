import { readFile } from 'node:fs/promises';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type NodeVault from 'node-vault';
import { CarpOvhError } from '../errors.ts';
import { resolveSecretsmithToken, type SecretsmithConfig } from './secretsmith.ts';
import { cancelledError, timeoutError, toVaultError, type VaultCallContext } from './vault-errors.ts';
import { vaultTransport } from './vault-transport.ts';
import { isRecord } from './yaml-file.ts';

export interface VaultSessionOptions {
  config: SecretsmithConfig;
  /** Bound on each HTTP request (node-vault has none: a black-holed Vault would hang forever). */
  timeoutMs: number;
  /** Honour VAULT_SKIP_VERIFY from `env` (parsed as a boolean, as the vault CLI does). */
  allowEnvSkipVerify: boolean;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal | undefined;
}

export interface LoginResult {
  method: 'approle' | 'token';
  /** Only tokens we created by logging in are ours to revoke. */
  revocable: boolean;
  /** From the login answer; null for a configured token (ask lookupSelf). */
  ttlSeconds: number | null;
  policies: string[];
}

export interface RawHealth {
  initialized: boolean;
  sealed: boolean;
  standby: boolean;
  performanceStandby: boolean;
  drSecondary: boolean;
  version: string | null;
  clusterName: string | null;
}

/** One login's worth of node-vault, with the TLS, timeout, abort and error rules of carp-ovh. */
export interface VaultSession {
  readonly url: string;
  readonly tlsVerify: 'ca-file' | 'system' | 'off';
  login(): Promise<LoginResult>;
  lookupSelf(): Promise<{ ttlSeconds: number; policies: string[] }>;
  /** The body of a GET on `apiPath` (no leading slash, no /v1/). */
  read(apiPath: string): Promise<unknown>;
  /** The KV version of `mount` from sys/internal/ui/mounts, or null when Vault will not say. */
  mountVersion(mount: string): Promise<1 | 2 | null>;
  health(): Promise<RawHealth>;
  revokeSelf(timeoutMs: number): Promise<void>;
  close(): void;
}

const TRUE_WORDS = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);

export function skipVerifyFromEnv(env: NodeJS.ProcessEnv): boolean {
  return TRUE_WORDS.has(env.VAULT_SKIP_VERIFY ?? '');
}

export async function openVaultSession(options: VaultSessionOptions): Promise<VaultSession> {
  const { config, timeoutMs, signal } = options;
  const skipVerify = config.verify === false || (options.allowEnvSkipVerify && skipVerifyFromEnv(options.env));
  const tlsVerify = skipVerify ? 'off' : typeof config.verify === 'string' ? 'ca-file' : 'system';

  let ca: Buffer | undefined;
  if (typeof config.verify === 'string' && !skipVerify) {
    try {
      ca = await readFile(config.verify);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
      throw new CarpOvhError(`${config.file}: vault.server.verify names ${config.verify}, which cannot be read (${code})`, {
        source: 'secrets',
        badInput: true,
        file: config.file,
        errorCode: code,
      });
    }
  }

  // The session's own agent, for every call: the CA and the verification rule are
  // this session's, nothing global is read or changed.
  const https = config.url.startsWith('https:');
  const agent = https
    ? new HttpsAgent({ keepAlive: false, rejectUnauthorized: !skipVerify, ...(ca === undefined ? {} : { ca }) })
    : new HttpAgent({ keepAlive: false });

  const { default: createClient } = await import('node-vault');
  const clientOptions: NodeVault.VaultOptions & { 'request-promise': ReturnType<typeof vaultTransport> } = {
    endpoint: config.url,
    apiVersion: 'v1',
    // node-vault builds the paths and reads the answers; the requests go out on our agent
    // (node-vault's own axios instance would also follow HTTP(S)_PROXY from the environment).
    'request-promise': vaultTransport(agent),
    // node-vault's debug output would print the login body, secret_id included.
    debug: () => {},
  };
  const client = createClient(clientOptions);
  // node-vault falls back to VAULT_TOKEN, VAULT_NAMESPACE and VAULT_PREFIX; the secretsmith file alone decides.
  const mutable = client as unknown as { token: string; namespace: string; pathPrefix: string };
  mutable.token = '';
  mutable.namespace = config.namespace ?? '';
  mutable.pathPrefix = '';

  const secrets: string[] = [];
  if (config.auth.method === 'approle') {
    secrets.push(config.auth.roleId);
    if (config.auth.secretId !== undefined) secrets.push(config.auth.secretId);
  }

  /** One call with its own deadline and abort: ending it leaves the agent serving the next. */
  const call = <T>(step: string, run: (requestOptions: { signal: AbortSignal }) => Promise<T>, limitMs = timeoutMs): Promise<T> => {
    const ctx: VaultCallContext = {
      step,
      url: config.url,
      timeoutMs: limitMs,
      file: config.file,
      secrets: [...secrets, ...(client.token === '' ? [] : [client.token])],
    };
    if (signal?.aborted === true) return Promise.reject(cancelledError(ctx));
    return new Promise<T>((resolve, reject) => {
      const request = new AbortController();
      let settled = false;
      const settle = (action: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        action();
        // After settling, so the request's own AbortError is ignored.
        request.abort();
      };
      // Bounds the whole call, connection and TLS included.
      const timer = setTimeout(() => settle(() => reject(timeoutError(ctx))), limitMs);
      const onAbort = (): void => settle(() => reject(cancelledError(ctx)));
      signal?.addEventListener('abort', onAbort, { once: true });
      run({ signal: request.signal }).then(
        (value) => settle(() => resolve(value)),
        (error: unknown) => settle(() => reject(toVaultError(error, ctx))),
      );
    });
  };

  const notJson = (step: string): CarpOvhError =>
    new CarpOvhError(`Vault ${step} failed: the answer is not valid JSON`, { source: 'vault', status: 200, badInput: true });

  return {
    url: config.url,
    tlsVerify,

    async login() {
      if (config.auth.method === 'token') {
        const token = await resolveSecretsmithToken(config);
        secrets.push(token);
        client.token = token;
        return { method: 'token', revocable: false, ttlSeconds: null, policies: [] };
      }
      const args: Record<string, string> = { role_id: config.auth.roleId };
      if (config.auth.secretId !== undefined) args.secret_id = config.auth.secretId;
      const body: unknown = await call('AppRole login', (requestOptions) => client.approleLogin({ ...args, requestOptions }));
      const auth = isRecord(body) ? body.auth : undefined;
      if (!isRecord(auth) || typeof auth.client_token !== 'string' || auth.client_token === '') {
        throw notJson('AppRole login');
      }
      client.token = auth.client_token;
      secrets.push(auth.client_token);
      return {
        method: 'approle',
        revocable: true,
        ttlSeconds: typeof auth.lease_duration === 'number' ? auth.lease_duration : null,
        policies: stringArray(auth.token_policies ?? auth.policies),
      };
    },

    async lookupSelf() {
      const body: unknown = await call('token lookup', (requestOptions) => client.tokenLookupSelf({ requestOptions }));
      const data = isRecord(body) ? body.data : undefined;
      if (!isRecord(data)) throw notJson('token lookup');
      return { ttlSeconds: typeof data.ttl === 'number' ? data.ttl : 0, policies: stringArray(data.policies) };
    },

    read(apiPath) {
      return call(`read ${apiPath}`, (requestOptions) => client.read(apiPath, requestOptions));
    },

    async mountVersion(mount) {
      try {
        const body: unknown = await call('mount lookup', (requestOptions) => client.read(`sys/internal/ui/mounts/${mount}`, requestOptions));
        const data = isRecord(body) ? body.data : undefined;
        const opts = isRecord(data) ? data.options : undefined;
        if (!isRecord(data) || (data.type !== 'kv' && data.type !== 'generic')) return null;
        return isRecord(opts) && String(opts.version) === '2' ? 2 : 1;
      } catch {
        return null;
      }
    },

    async health() {
      // node-vault resolves sys/health whatever its status: the body says what state Vault is in.
      const body: unknown = await call('health check', (requestOptions) => client.health({ requestOptions }));
      if (!isRecord(body) || typeof body.sealed !== 'boolean') throw notJson('health check');
      return {
        initialized: body.initialized !== false,
        sealed: body.sealed,
        standby: body.standby === true,
        performanceStandby: body.performance_standby === true,
        drSecondary: body.replication_dr_mode === 'secondary',
        version: typeof body.version === 'string' ? body.version : null,
        clusterName: typeof body.cluster_name === 'string' ? body.cluster_name : null,
      };
    },

    async revokeSelf(limitMs) {
      // write() rather than tokenRevokeSelf(): the generated command would serialise its
      // arguments, request options included, into the request body.
      await call('token revocation', (requestOptions) => client.write('auth/token/revoke-self', {}, requestOptions), limitMs);
      client.token = '';
    },

    close() {
      client.token = '';
      agent.destroy();
    },
  };
}

function stringArray(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}
