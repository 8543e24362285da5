import type { OvhCredentials, SecretSource } from '../core/ports/index.ts';
import { CarpOvhError, describeError, isCarpOvhError } from '../errors.ts';
import { missingOvhKeys, OVH_KEY_NAMES, toOvhCredentials } from './ovh-keys.ts';
import { loadSecretsmithFile, type SecretsmithConfig } from './secretsmith.ts';
import { openVaultSession, type RawHealth, type VaultSession } from './vault-client.ts';
import { isRecord } from './yaml-file.ts';

export interface VaultSourceOptions {
  /** Path of the secretsmith file (server, TLS, AppRole or token). */
  config: string;
  mount: string;
  path: string;
  /** Default 2, as secretsmith's read_secret. */
  kvVersion?: 1 | 2;
  /** Bound on each HTTP request to Vault. Default 5000 ms. */
  timeoutMs?: number;
  /** Let VAULT_SKIP_VERIFY in the environment disable TLS checks. Default false. */
  allowEnvSkipVerify?: boolean;
  /** Default process.env; only VAULT_SKIP_VERIFY is read, and only when allowed. */
  env?: NodeJS.ProcessEnv;
  /** Told about problems that do not fail the read (a token that could not be revoked). */
  onWarning?: (message: string) => void;
  /** Told the TTL Vault granted each login (null for a token that carries none): the metrics show it. */
  onLogin?: (ttlSeconds: number | null) => void;
}

export const DEFAULT_VAULT_TIMEOUT_MS = 5000;
/** The revocation is housekeeping (the token dies with its TTL anyway): it must not hold up a claim. */
const REVOKE_TIMEOUT_CAP_MS = 1500;

/** The API path of a KV read: `{mount}/data/{path}` for KV v2, `{mount}/{path}` for v1. */
export function kvReadPath(mount: string, path: string, kvVersion: 1 | 2): string {
  const m = trimSlashes(mount);
  const p = trimSlashes(path)
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/');
  return kvVersion === 2 ? `${m}/data/${p}` : `${m}/${p}`;
}

/**
 * OVH credentials from Vault/OpenBao, the way the routers' secretsmith does it:
 * log in (AppRole or token), read one KV secret, revoke the AppRole token. Each
 * call re-reads the secretsmith file, so rotated AppRole credentials apply at once.
 */
export function createVaultSource(options: VaultSourceOptions): SecretSource {
  checkOptions(options);
  return {
    description: `vault ${trimSlashes(options.mount)}/${trimSlashes(options.path)} (secretsmith ${options.config})`,
    readOvhCredentials: (opts) => readFromVault(options, opts?.signal),
  };
}

async function readFromVault(options: VaultSourceOptions, signal: AbortSignal | undefined): Promise<OvhCredentials> {
  const config = await loadSecretsmithFile(options.config);
  const session = await open(config, options, signal);
  try {
    const login = await session.login();
    options.onLogin?.(login.ttlSeconds);
    let data: Record<string, unknown>;
    try {
      data = await readSecretData(session, options);
    } finally {
      if (login.revocable) await revokeQuietly(session, options, signal);
    }
    return credentialsFrom(data, options);
  } finally {
    session.close();
  }
}

export interface VaultHealth extends RawHealth {
  state: 'active' | 'standby' | 'performance-standby' | 'dr-secondary' | 'sealed' | 'uninitialized';
}

/**
 * What `inspectVault` found, step by step, for doctor and the health probe.
 * It never contains a secret value: only key names.
 */
export interface VaultInspection {
  /** Server URL from the secretsmith file; null when the file could not be read. */
  url: string | null;
  authMethod: 'approle' | 'token' | null;
  tlsVerify: 'ca-file' | 'system' | 'off' | null;
  /** sys/health, or null when Vault did not answer it. */
  health: VaultHealth | null;
  loginOk: boolean;
  /** Seconds left on the token (0 = never expires); null when unknown. */
  tokenTtlSeconds: number | null;
  tokenPolicies: string[];
  /** The API path read, e.g. apps/data/network/carp-hyper-001-switch. */
  secretPath: string;
  readOk: boolean;
  /** Which of application_key, application_secret, consumer_key hold a non-empty string. */
  keysPresent: string[];
  keysMissing: string[];
  /** An AppRole token was revoked after the checks. */
  revoked: boolean;
  /** The first failure (the one that stopped the inspection), or null when all went well. */
  error: CarpOvhError | null;
  durationMs: number;
}

/**
 * Every step of a credentials read, reported instead of thrown: health, login,
 * token lookup, read, key check, revocation. Never throws for a Vault or
 * secretsmith problem; `error` holds the one that stopped it.
 */
export async function inspectVault(options: VaultSourceOptions & { signal?: AbortSignal }): Promise<VaultInspection> {
  const started = Date.now();
  const kvVersion = options.kvVersion ?? 2;
  const result: VaultInspection = {
    url: null,
    authMethod: null,
    tlsVerify: null,
    health: null,
    loginOk: false,
    tokenTtlSeconds: null,
    tokenPolicies: [],
    secretPath: kvReadPath(options.mount, options.path, kvVersion),
    readOk: false,
    keysPresent: [],
    keysMissing: [],
    revoked: false,
    error: null,
    durationMs: 0,
  };
  const done = (error: unknown): VaultInspection => {
    if (error !== null) result.error = asCarpOvhError(error);
    result.durationMs = Date.now() - started;
    return result;
  };

  let session: VaultSession;
  try {
    checkOptions(options);
    const config = await loadSecretsmithFile(options.config);
    result.url = config.url;
    result.authMethod = config.auth.method;
    session = await open(config, options, options.signal);
    result.tlsVerify = session.tlsVerify;
  } catch (error) {
    return done(error);
  }

  try {
    try {
      const raw = await session.health();
      result.health = { ...raw, state: healthState(raw) };
    } catch (error) {
      // Nothing else can work when Vault does not answer at all.
      if (isCarpOvhError(error) && (error.status === 0 || error.isCanceled)) return done(error);
    }

    const login = await session.login();
    try {
      result.loginOk = true;
      result.tokenPolicies = login.policies;
      result.tokenTtlSeconds = login.ttlSeconds;
      try {
        const self = await session.lookupSelf();
        result.tokenTtlSeconds = self.ttlSeconds;
        if (self.policies.length > 0) result.tokenPolicies = self.policies;
      } catch {
        // A token without the default policy may not look itself up; the read still tells.
      }
      const data = await readSecretData(session, options);
      result.readOk = true;
      result.keysMissing = missingOvhKeys(data);
      result.keysPresent = OVH_KEY_NAMES.filter((key) => !result.keysMissing.includes(key));
      if (result.keysMissing.length > 0) result.error = missingKeysError(options, result.keysMissing);
    } finally {
      if (login.revocable && options.signal?.aborted !== true) {
        try {
          await session.revokeSelf(Math.min(timeoutOf(options), REVOKE_TIMEOUT_CAP_MS));
          result.revoked = true;
        } catch (error) {
          options.onWarning?.(`could not revoke the Vault token: ${describeError(error)}`);
        }
      }
    }
    return done(null);
  } catch (error) {
    return done(error);
  } finally {
    session.close();
  }
}

function healthState(h: RawHealth): VaultHealth['state'] {
  if (!h.initialized) return 'uninitialized';
  if (h.sealed) return 'sealed';
  if (h.drSecondary) return 'dr-secondary';
  if (h.performanceStandby) return 'performance-standby';
  if (h.standby) return 'standby';
  return 'active';
}

export function open(config: SecretsmithConfig, options: VaultSourceOptions, signal: AbortSignal | undefined): Promise<VaultSession> {
  return openVaultSession({
    config,
    timeoutMs: timeoutOf(options),
    allowEnvSkipVerify: options.allowEnvSkipVerify ?? false,
    env: options.env ?? process.env,
    signal,
  });
}

export async function readSecretData(session: VaultSession, options: VaultSourceOptions): Promise<Record<string, unknown>> {
  const kvVersion = options.kvVersion ?? 2;
  const apiPath = kvReadPath(options.mount, options.path, kvVersion);
  let body: unknown;
  try {
    body = await session.read(apiPath);
  } catch (error) {
    if (isCarpOvhError(error) && error.status === 404) throw await notFoundError(session, options, apiPath);
    throw error;
  }
  if (!isRecord(body)) {
    throw new CarpOvhError(`Vault read ${apiPath} failed: the answer is not valid JSON`, {
      source: 'vault',
      status: 200,
      badInput: true,
    });
  }
  const data = kvVersion === 2 ? (isRecord(body.data) ? body.data.data : undefined) : body.data;
  if (!isRecord(data)) {
    throw new CarpOvhError(
      `Vault read ${apiPath}: the answer has no ${kvVersion === 2 ? 'data.data (KV v2)' : 'data'} mapping; check the KV version of mount ${trimSlashes(options.mount)}`,
      { source: 'vault', status: 200, badInput: true },
    );
  }
  return data;
}

/** A 404 is often a KV version mismatch: ask Vault what the mount is, to say so. */
async function notFoundError(session: VaultSession, options: VaultSourceOptions, apiPath: string): Promise<CarpOvhError> {
  const mount = trimSlashes(options.mount);
  const configured = options.kvVersion ?? 2;
  const actual = await session.mountVersion(mount);
  let message: string;
  if (actual !== null && actual !== configured) {
    message = `Vault has no secret at ${apiPath}: mount ${mount} is KV version ${actual}, but carp-ovh is configured for KV version ${configured}; configure KV version ${actual} for it`;
  } else if (actual === null) {
    message = `Vault has no secret at ${apiPath}: check the mount, the path and the KV version (${configured}) of mount ${mount}`;
  } else {
    message = `Vault has no secret at ${apiPath} (KV version ${configured} mount ${mount})`;
  }
  return new CarpOvhError(message, { source: 'vault', status: 404, badInput: true });
}

/** The three OVH keys of a secret read from Vault, or the error naming those missing. */
export function credentialsFrom(data: Record<string, unknown>, options: VaultSourceOptions): OvhCredentials {
  const missing = missingOvhKeys(data);
  if (missing.length > 0) throw missingKeysError(options, missing);
  return toOvhCredentials(data);
}

export function missingKeysError(options: VaultSourceOptions, missing: string[]): CarpOvhError {
  const apiPath = kvReadPath(options.mount, options.path, options.kvVersion ?? 2);
  return new CarpOvhError(`Vault secret ${apiPath} lacks ${missing.join(', ')} (each a non-empty string)`, {
    source: 'vault',
    badInput: true,
  });
}

export async function revokeQuietly(session: VaultSession, options: VaultSourceOptions, signal: AbortSignal | undefined): Promise<void> {
  // A cancelled caller wants out now; the token expires with its TTL.
  if (signal?.aborted === true) return;
  try {
    await session.revokeSelf(Math.min(timeoutOf(options), REVOKE_TIMEOUT_CAP_MS));
  } catch (error) {
    options.onWarning?.(`could not revoke the Vault token: ${describeError(error)}`);
  }
}

export function checkOptions(options: VaultSourceOptions): void {
  const bad = (message: string): CarpOvhError => new CarpOvhError(message, { source: 'config', badInput: true });
  if (trimSlashes(options.mount ?? '') === '') throw bad('Vault credentials: mount is empty');
  if (trimSlashes(options.path ?? '') === '') throw bad('Vault credentials: path is empty');
  if (options.kvVersion !== undefined && options.kvVersion !== 1 && options.kvVersion !== 2) {
    throw bad('Vault credentials: KV version must be 1 or 2');
  }
  if (options.timeoutMs !== undefined && !(options.timeoutMs > 0)) throw bad('Vault credentials: timeout must be positive');
}

function timeoutOf(options: VaultSourceOptions): number {
  return options.timeoutMs ?? DEFAULT_VAULT_TIMEOUT_MS;
}

function asCarpOvhError(error: unknown): CarpOvhError {
  if (isCarpOvhError(error)) return error;
  return new CarpOvhError(`Vault check failed: ${error instanceof Error ? error.name : 'unknown error'}`, { source: 'internal' });
}

export function trimSlashes(text: string): string {
  return text.replace(/^\/+|\/+$/g, '');
}
