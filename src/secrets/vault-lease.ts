import type { OvhCredentials, SecretSource } from '../core/ports/index.ts';
import { isCarpOvhError } from '../errors.ts';
import { loadSecretsmithFile } from './secretsmith.ts';
import { checkOptions, credentialsFrom, open, readSecretData, revokeQuietly, trimSlashes, type VaultSourceOptions } from './vault.ts';
import type { LoginResult, VaultSession } from './vault-client.ts';

export interface LeasedVaultOptions extends VaultSourceOptions {
  /** How long a secret read on the current token is used before it is read again. */
  refreshMs: number;
  now?: () => number;
}

/** A source that keeps its token between calls, and gives it back when the loop ends. */
export interface LeasedSecretSource extends SecretSource {
  /** Seconds left on the token as last seen (0 = never expires), or null with no token. */
  tokenTtlSeconds(): number | null;
  close(): Promise<void>;
}

interface Lease {
  session: VaultSession;
  login: LoginResult;
  /** Seconds the token was granted for at login or at its last renewal (0 = never expires). */
  grantedSeconds: number;
  ttlSeconds: number;
  credentials: OvhCredentials | null;
  readAt: number;
}

/**
 * The health loop's Vault source: one login per token lifetime instead of a login,
 * a read and a revocation per check. Each call proves Vault answers this token with
 * one `auth/token/lookup-self`; the secret is read again only on a new token or
 * once `refreshMs` has passed; the token is renewed when a third of its grant is
 * left, and a token Vault no longer knows (revoked, expired early) is replaced by
 * a new login. The token and the credentials live in this object only.
 */
export function createLeasedVaultSource(options: LeasedVaultOptions): LeasedSecretSource {
  checkOptions(options);
  const now = options.now ?? Date.now;
  let lease: Lease | null = null;
  let closed = false;

  const drop = async (signal: AbortSignal | undefined): Promise<void> => {
    const old = lease;
    lease = null;
    if (old === null) return;
    if (old.login.revocable) await revokeQuietly(old.session, options, signal);
    old.session.close();
  };

  const start = async (signal: AbortSignal | undefined): Promise<Lease> => {
    const config = await loadSecretsmithFile(options.config);
    const session = await open(config, options, signal);
    try {
      const login = await session.login();
      const ttlSeconds = login.ttlSeconds ?? (await session.lookupSelf()).ttlSeconds;
      options.onLogin?.(ttlSeconds);
      return { session, login, grantedSeconds: ttlSeconds, ttlSeconds, credentials: null, readAt: 0 };
    } catch (error) {
      session.close();
      throw error;
    }
  };

  /** One request on a kept token: is it still alive, and for how long. */
  const refreshToken = async (current: Lease): Promise<boolean> => {
    try {
      current.ttlSeconds = (await current.session.lookupSelf()).ttlSeconds;
    } catch (error) {
      // 403: Vault no longer knows this token (revoked, expired early, Vault restored from backup).
      if (isCarpOvhError(error) && error.status === 403) return false;
      throw error;
    }
    const renewable = current.login.revocable && current.ttlSeconds !== 0;
    if (renewable && current.ttlSeconds * 3 < current.grantedSeconds) {
      try {
        current.ttlSeconds = await current.session.renewSelf();
        current.grantedSeconds = current.ttlSeconds;
        options.onLogin?.(current.ttlSeconds);
      } catch (error) {
        // Past its max TTL a token cannot be renewed: log in again rather than let it lapse mid-claim.
        if (isCarpOvhError(error) && (error.status === 400 || error.status === 403)) return false;
        throw error;
      }
    }
    return true;
  };

  const read = async (current: Lease): Promise<OvhCredentials> => {
    current.credentials = credentialsFrom(await readSecretData(current.session, options), options);
    current.readAt = now();
    return current.credentials;
  };

  return {
    description: `vault ${trimSlashes(options.mount)}/${trimSlashes(options.path)} (secretsmith ${options.config})`,
    async readOvhCredentials(opts) {
      if (closed) throw new Error('the Vault source is closed');
      const signal = opts?.signal;
      let current = lease;
      if (current !== null) {
        current.session.useSignal(signal);
        if (!(await refreshToken(current))) {
          await drop(signal);
          current = null;
        }
      }
      if (current === null) {
        current = await start(signal);
        lease = current;
      }
      if (current.credentials !== null && now() - current.readAt < options.refreshMs) return current.credentials;
      return read(current);
    },
    tokenTtlSeconds: () => lease?.ttlSeconds ?? null,
    async close() {
      closed = true;
      lease?.session.useSignal(undefined);
      await drop(undefined);
    },
  };
}
