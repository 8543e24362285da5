/** Shapes shared by the Vault simulator's modules and its callers. */

export type KvVersion = 1 | 2;

export interface RoleOptions {
  role_id: string;
  /** Omit together with `bind_secret_id: false` for a role that needs no secret id. */
  secret_id?: string;
  /** Vault's default is true: login then requires a secret_id. */
  bind_secret_id?: boolean;
  policies?: string[];
  /** Seconds, as Vault reports them (lease_duration). 0 means the system default (768 h). */
  token_ttl?: number;
}

export interface HealthState {
  initialized: boolean;
  standby: boolean;
  performanceStandby: boolean;
  drSecondary: boolean;
}

export interface VaultSimulatorOptions {
  /** AppRole roles by name. Default: the deployed `router` role. */
  roles?: Record<string, RoleOptions>;
  /** Policy name → allowed read paths (`*` matches any characters, `+` one segment). */
  policies?: Record<string, string[]>;
  /** Mount path → KV version. Default `{ apps: 2 }`. */
  mounts?: Record<string, KvVersion>;
  /** `mount` → `path` → data. Default: the OVH test credentials at apps/network/carp-hyper-001-switch. */
  secrets?: Record<string, Record<string, Record<string, unknown>>>;
  /** A static root token for token auth; null disables it. Default VAULT_ROOT_TOKEN. */
  rootToken?: string | null;
  /** Namespace the simulated server lives in; requests must send it in X-Vault-Namespace when `enforceNamespace`. */
  namespace?: string;
  enforceNamespace?: boolean;
  /**
   * Real milliseconds one simulated second lasts (default 1000). Token TTLs are
   * reported in simulated seconds, so a 300 s token with `secondMs: 10` dies after 3 s.
   */
  secondMs?: number;
  sealed?: boolean;
  health?: Partial<HealthState>;
  /** Serve the rogue self-signed certificate instead of the test CA's. */
  tls?: 'trusted' | 'rogue';
  /** Added before every answer, to look like a LAN round trip. */
  latencyMs?: number;
  version?: string;
  clusterName?: string;
}

/** One fault, checked in the order they were added; the first match wins. */
export interface FaultRule {
  /** HTTP method (any case); omitted = any. */
  method?: string;
  /** Glob on the URL path including `/v1/` (`*` = any characters), or a RegExp. */
  path: string | RegExp;
  /** Only the next N matching requests; omitted = until removed. */
  times?: number;
  /** Runs when the rule matches, before anything else (e.g. expire tokens mid-flow). */
  onMatch?: () => void;
  /** Wait this long, then carry on with the rest of the rule (or normal handling). */
  delayMs?: number;
  /** Never answer: a black hole, longer than any client timeout. Cleared by close(). */
  stall?: boolean;
  /** Destroy the connection without an answer. */
  drop?: boolean;
  /** Answer 200 (or `status`) with a body that is not valid JSON. */
  malformed?: boolean;
  /** Answer this status with `body`: JSON, or a string sent as text/html (a proxy page). Default `{"errors":["simulated fault"]}`. */
  status?: number;
  body?: unknown;
}

export interface FaultHandle {
  /** Requests this rule caught so far. */
  readonly hits: number;
  remove(): void;
}

/** What the simulator logs per request: never a token, secret id or query string. */
export interface RequestLogEntry {
  method: string;
  path: string;
  /** 0 when the request got no answer (stall, drop, closed while pending). */
  status: number;
  namespace: string | null;
  fault: 'stall' | 'drop' | 'malformed' | 'status' | 'delay' | null;
  /** Milliseconds since the simulator started. */
  at: number;
}

export interface VaultCounters {
  requests: number;
  logins: number;
  loginFailures: number;
  tokensIssued: number;
  revocations: number;
  expirations: number;
  secretReads: number;
  /** Issued tokens neither revoked nor expired (the root token is not counted). */
  liveTokens: number;
}

export interface VaultSimulator {
  readonly url: string;
  readonly port: number;
  /** CA that signs the simulator's certificate (useless with `tls: 'rogue'`). */
  readonly caPath: string;
  readonly rootToken: string | null;
  readonly requests: readonly RequestLogEntry[];
  readonly counters: VaultCounters;
  seal(): void;
  unseal(): void;
  setHealth(state: Partial<HealthState>): void;
  addMount(mount: string, version: KvVersion): void;
  /** Writes a new version (KV v2) or replaces the value (KV v1). */
  setSecret(mount: string, path: string, data: Record<string, unknown>): void;
  deleteSecret(mount: string, path: string): void;
  setPolicy(name: string, paths: string[]): void;
  setRole(name: string, role: RoleOptions): void;
  /** Rotates a role's credentials, as redeploying the secretsmith file does. */
  setRoleCredentials(name: string, credentials: { role_id?: string; secret_id?: string }): void;
  /** Issues a service token directly (what `vault token create` would), for token-auth tests. */
  issueToken(options?: { policies?: string[]; ttlSeconds?: number }): string;
  /** Expires one token now, or every issued token when called without one. */
  expireToken(token?: string): void;
  /** Moves simulated time forward (TTLs count in simulated time). */
  advanceClock(seconds: number): void;
  injectFault(rule: FaultRule): FaultHandle;
  clearFaults(): void;
  clearLog(): void;
  close(): Promise<void>;
}
