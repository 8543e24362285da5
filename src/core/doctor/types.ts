import type { Config, FailoverEntry } from '../../config/types.ts';
import type { Check, CheckStatus, FailoverProvider, FilePort, InstallLayout, OvhCredentials, OvhProbe, Platform, StateStore } from '../ports/index.ts';

export type { Check, CheckGroup, CheckStatus, FilePort, InstallLayout, NeededCall, OvhCredentialInfo, OvhProbe } from '../ports/index.ts';

export interface DoctorReport {
  version: 1;
  at: string;
  config: string;
  root: string;
  ok: boolean;
  summary: Record<CheckStatus, number>;
  checks: Check[];
}

/** What a Vault inspection found (src/secrets/vault.ts `inspectVault` returns this shape). */
export interface VaultReport {
  url: string | null;
  authMethod: 'approle' | 'token' | null;
  tlsVerify: 'ca-file' | 'system' | 'off' | null;
  health: { state: string; version: string | null } | null;
  loginOk: boolean;
  tokenTtlSeconds: number | null;
  secretPath: string;
  readOk: boolean;
  keysPresent: string[];
  keysMissing: string[];
  error: { message: string; status?: number | undefined; timedOut?: boolean; errorCode?: string | undefined } | null;
}

export interface SecretFile {
  path: string;
  what: string;
  /** What is wrong with its mode (src/secrets/file-mode.ts `fileModeProblem`), or null when it is private. */
  problem: string | null;
}

export interface DoctorDeps {
  config: Config;
  /** Prefix the installed files live under (`/` on a router, a temp dir in tests). */
  root: string;
  opnsense: boolean;
  /**
   * Where FreeBSD's and OPNsense's installed files go (devd rule, syshook, cron, rc.d);
   * null on a platform whose doctorChecks checks its own trigger and timer (keepalived).
   */
  layout: InstallLayout | null;
  /** The running CLI's entry (see PlatformDoctorContext.cliPath). */
  cliPath: string;
  env: Readonly<Record<string, string | undefined>>;
  files: FilePort;
  platform: Platform;
  state: StateStore;
  /** null when the credentials come from a file rather than Vault. */
  inspectVault: (() => Promise<VaultReport>) | null;
  /** The secret files whose mode matters (the secretsmith file, its token file, the credentials file), each with its mode problem. */
  secretFiles: () => Promise<SecretFile[]>;
  readCredentials: (signal: AbortSignal) => Promise<OvhCredentials>;
  ovh: (credentials: OvhCredentials) => Promise<OvhProbe>;
  /**
   * Each entry's provider without an OVH session, for reporting its checks as
   * not run when there are no credentials: such a provider makes no call.
   */
  offlineProviders: () => Promise<(entry: FailoverEntry) => FailoverProvider>;
  now: () => number;
}
