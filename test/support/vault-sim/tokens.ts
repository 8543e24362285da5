import { randomBytes, randomUUID } from 'node:crypto';
import { VAULT_TOKEN_PREFIX } from '../secrets.ts';
import type { SimClock } from './clock.ts';

/** Vault's system default TTL (768 h), used when a role says 0. */
export const SYSTEM_DEFAULT_TTL = 2_764_800;

export interface SimToken {
  id: string;
  accessor: string;
  policies: string[];
  /** 0 = never expires (root). */
  ttlSeconds: number;
  issuedAt: number;
  expiresAt: number;
  namespace: string | null;
  path: string;
  displayName: string;
  meta: Record<string, string> | null;
}

export interface IssueOptions {
  policies: string[];
  ttlSeconds: number;
  namespace: string | null;
  path: string;
  displayName: string;
  meta?: Record<string, string>;
}

/**
 * Issued tokens with their TTLs in simulated time. An expired or revoked token
 * is simply gone, which is how Vault answers for it: 403 permission denied.
 */
export class TokenStore {
  readonly #tokens = new Map<string, SimToken>();
  readonly #clock: SimClock;
  #root: SimToken | null = null;
  issued = 0;
  revocations = 0;
  expirations = 0;

  constructor(clock: SimClock) {
    this.#clock = clock;
  }

  setRoot(id: string | null, namespace: string | null): void {
    this.#root =
      id === null
        ? null
        : {
            id,
            accessor: randomUUID(),
            policies: ['root'],
            ttlSeconds: 0,
            issuedAt: this.#clock.now(),
            expiresAt: Number.POSITIVE_INFINITY,
            namespace,
            path: 'auth/token/root',
            displayName: 'root',
            meta: null,
          };
  }

  issue(options: IssueOptions): SimToken {
    const now = this.#clock.now();
    const ttl = options.ttlSeconds === 0 ? SYSTEM_DEFAULT_TTL : options.ttlSeconds;
    const token: SimToken = {
      id: `${VAULT_TOKEN_PREFIX}${randomBytes(18).toString('base64url')}`,
      accessor: randomBytes(12).toString('base64url'),
      policies: ['default', ...options.policies.filter((p) => p !== 'default')],
      ttlSeconds: ttl,
      issuedAt: now,
      expiresAt: now + ttl * 1000,
      namespace: options.namespace,
      path: options.path,
      displayName: options.displayName,
      meta: options.meta ?? null,
    };
    this.#tokens.set(token.id, token);
    this.issued += 1;
    return token;
  }

  /** The live token with this id, or null (unknown, revoked or expired). */
  find(id: string): SimToken | null {
    if (this.#root !== null && id === this.#root.id) return this.#root;
    const token = this.#tokens.get(id);
    if (token === undefined) return null;
    if (this.#clock.now() >= token.expiresAt) {
      this.#tokens.delete(id);
      this.expirations += 1;
      return null;
    }
    return token;
  }

  revoke(id: string): boolean {
    if (!this.#tokens.delete(id)) return false;
    this.revocations += 1;
    return true;
  }

  /** Expires `id`, or every issued token (never the root token). */
  expire(id?: string): void {
    const now = this.#clock.now();
    for (const token of this.#tokens.values()) {
      if (id === undefined || token.id === id) token.expiresAt = now;
    }
  }

  /** Remaining whole seconds, as lookup-self reports `ttl`. */
  remainingSeconds(token: SimToken): number {
    if (token.ttlSeconds === 0) return 0;
    return Math.max(0, Math.ceil((token.expiresAt - this.#clock.now()) / 1000));
  }

  liveCount(): number {
    for (const id of [...this.#tokens.keys()]) this.find(id);
    return this.#tokens.size;
  }
}
