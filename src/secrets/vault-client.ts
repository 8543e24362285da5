import { readFile } from 'node:fs/promises';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { CarpOvhError } from '../errors.ts';
import { resolveSecretsmithToken, type SecretsmithConfig } from './secretsmith.ts';
import { cancelledError, timeoutError, toVaultError, type VaultCallContext } from './vault-errors.ts';
import { isRecord } from './yaml-file.ts';

export interface VaultSessionOptions {
  config: SecretsmithConfig;
  /** Bound on each whole HTTP exchange, connection included: a black-holed Vault must not hang a claim. */
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

/** One login's worth of Vault HTTP API, with the TLS, timeout, abort and error rules of carp-ovh. */
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
  /** Extends the token by its increment; returns the seconds it has left (0 = never expires). */
  renewSelf(): Promise<number>;
  revokeSelf(timeoutMs: number): Promise<void>;
  /** The signal later calls obey: a session kept across the health loop's runs gets each run's. */
  useSignal(signal: AbortSignal | undefined): void;
  close(): void;
}

/**
 * Vault's answers to these calls are a few KB, but a KV secret may carry large
 * fields beside the keys; past this bound the answer is not a secret worth waiting for.
 */
const MAX_ANSWER_BYTES = 64 * 1024 * 1024;

const TRUE_WORDS = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);

export function skipVerifyFromEnv(env: NodeJS.ProcessEnv): boolean {
  return TRUE_WORDS.has(env.VAULT_SKIP_VERIFY ?? '');
}

export async function openVaultSession(options: VaultSessionOptions): Promise<VaultSession> {
  const { config, timeoutMs } = options;
  let signal = options.signal;
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

  // One agent per session, kept alive: the health loop's session reuses its TLS connection run after run.
  const https = config.url.startsWith('https:');
  const agent = https
    ? new HttpsAgent({ keepAlive: true, rejectUnauthorized: !skipVerify, ...(ca === undefined ? {} : { ca }) })
    : new (plainHttp().Agent)({ keepAlive: true });
  const send = https ? httpsRequest : plainHttp().request;
  const root = config.url.replace(/\/+$/, '');
  let token = '';

  const secrets: string[] = [];
  if (config.auth.method === 'approle') {
    secrets.push(config.auth.roleId);
    if (config.auth.secretId !== undefined) secrets.push(config.auth.secretId);
  }

  /**
   * One HTTP exchange. Answers other than 200/204 reject with Vault's first error
   * (as the vault CLI prints it), except where `anyStatus` (sys/health, whose status
   * is its answer). The whole call, connection included, is bounded by `limitMs`.
   */
  const call = (step: string, method: 'GET' | 'POST', apiPath: string, body?: unknown, limitMs = timeoutMs, anyStatus = false): Promise<unknown> => {
    const ctx: VaultCallContext = { step, url: config.url, timeoutMs: limitMs, file: config.file, secrets: [...secrets, ...(token === '' ? [] : [token])] };
    if (signal?.aborted === true) return Promise.reject(cancelledError(ctx));
    const outer = signal;
    return new Promise<unknown>((resolve, reject) => {
      const abort = new AbortController();
      let settled = false;
      const settle = (action: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        outer?.removeEventListener('abort', onAbort);
        abort.abort();
        action();
      };
      const timer = setTimeout(() => settle(() => reject(timeoutError(ctx))), limitMs);
      const onAbort = (): void => settle(() => reject(cancelledError(ctx)));
      outer?.addEventListener('abort', onAbort, { once: true });

      const payload = body === undefined ? undefined : JSON.stringify(body);
      const headers: Record<string, string> = { Accept: 'application/json' };
      if (token !== '') headers['X-Vault-Token'] = token;
      if (config.namespace !== undefined && config.namespace !== '') headers['X-Vault-Namespace'] = config.namespace;
      if (payload !== undefined) {
        headers['Content-Type'] = 'application/json';
        headers['Content-Length'] = String(Buffer.byteLength(payload));
      }
      const req = send(`${root}/v1/${apiPath}`, { method, agent, headers, signal: abort.signal }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_ANSWER_BYTES) {
            settle(() =>
              reject(
                new CarpOvhError(`Vault ${step} failed: the answer is larger than ${MAX_ANSWER_BYTES} bytes`, {
                  source: 'vault',
                  status: res.statusCode ?? 0,
                  badInput: true,
                }),
              ),
            );
            return;
          }
          chunks.push(chunk);
        });
        res.on('error', (error) => settle(() => reject(toVaultError(error, ctx))));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const parsed = parseBody(Buffer.concat(chunks).toString('utf8'));
          if (status === 200 || status === 204 || anyStatus) {
            settle(() => resolve(parsed));
            return;
          }
          const errors = isRecord(parsed) && Array.isArray(parsed.errors) ? parsed.errors.filter((e): e is string => typeof e === 'string') : [];
          const message = errors[0] ?? `Status ${status}`;
          settle(() => reject(toVaultError({ message, response: { statusCode: status } }, ctx)));
        });
      });
      req.on('error', (error) => settle(() => reject(toVaultError(error, ctx))));
      req.end(payload);
    });
  };

  const notJson = (step: string): CarpOvhError =>
    new CarpOvhError(`Vault ${step} failed: the answer is not valid JSON`, { source: 'vault', status: 200, badInput: true });

  return {
    url: config.url,
    tlsVerify,

    async login() {
      if (config.auth.method === 'token') {
        token = await resolveSecretsmithToken(config);
        secrets.push(token);
        return { method: 'token', revocable: false, ttlSeconds: null, policies: [] };
      }
      const args: Record<string, string> = { role_id: config.auth.roleId };
      if (config.auth.secretId !== undefined) args.secret_id = config.auth.secretId;
      const body = await call('AppRole login', 'POST', 'auth/approle/login', args);
      const auth = isRecord(body) ? body.auth : undefined;
      if (!isRecord(auth) || typeof auth.client_token !== 'string' || auth.client_token === '') {
        throw notJson('AppRole login');
      }
      token = auth.client_token;
      secrets.push(auth.client_token);
      return {
        method: 'approle',
        revocable: true,
        ttlSeconds: typeof auth.lease_duration === 'number' ? auth.lease_duration : null,
        policies: stringArray(auth.token_policies ?? auth.policies),
      };
    },

    async lookupSelf() {
      const body = await call('token lookup', 'GET', 'auth/token/lookup-self');
      const data = isRecord(body) ? body.data : undefined;
      if (!isRecord(data)) throw notJson('token lookup');
      return { ttlSeconds: typeof data.ttl === 'number' ? data.ttl : 0, policies: stringArray(data.policies) };
    },

    read(apiPath) {
      return call(`read ${apiPath}`, 'GET', apiPath);
    },

    async mountVersion(mount) {
      try {
        const body = await call('mount lookup', 'GET', `sys/internal/ui/mounts/${mount}`);
        const data = isRecord(body) ? body.data : undefined;
        const opts = isRecord(data) ? data.options : undefined;
        if (!isRecord(data) || (data.type !== 'kv' && data.type !== 'generic')) return null;
        return isRecord(opts) && String(opts.version) === '2' ? 2 : 1;
      } catch {
        return null;
      }
    },

    async health() {
      // sys/health answers with a status that encodes Vault's state; the body says the same.
      const body = await call('health check', 'GET', 'sys/health', undefined, timeoutMs, true);
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

    async renewSelf() {
      const body = await call('token renewal', 'POST', 'auth/token/renew-self', {});
      const auth = isRecord(body) ? body.auth : undefined;
      if (!isRecord(auth) || typeof auth.lease_duration !== 'number') throw notJson('token renewal');
      return auth.lease_duration;
    },

    useSignal(next) {
      signal = next;
    },

    async revokeSelf(limitMs) {
      await call('token revocation', 'POST', 'auth/token/revoke-self', {}, limitMs);
      token = '';
    },

    close() {
      token = '';
      agent.destroy();
    },
  };
}

/** Vault's answers are JSON; anything else is kept as text, for the caller's shape check to reject. */
function parseBody(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function stringArray(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/**
 * node:http for a Vault on plain http, without an ES module import of it: importing
 * node:http as a module evaluates all its exports, and the WebSocket ones load
 * node's fetch implementation (undici) into every command: ~15 ms and its memory.
 */
function plainHttp(): typeof import('node:http') {
  return process.getBuiltinModule('node:http');
}
