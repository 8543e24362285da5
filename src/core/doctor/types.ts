import type { Config } from '../../config/types.ts';
import type { StateDir } from '../../state.ts';
import type { Carp, OvhCredentials } from '../ports.ts';

/**
 * What doctor reports. `skip` is a check that could not run because an earlier
 * one failed (no credentials when Vault is down): the failing check carries the fix.
 */
export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

export type CheckGroup = 'config' | 'environment' | 'platform' | 'install' | 'secrets' | 'vault' | 'ovh' | 'placement' | 'history';

export interface Check {
  /** Stable identifier, e.g. `sysctl.preempt`, `vault.login`, `placement.vip:51.68.252.230`. */
  id: string;
  group: CheckGroup;
  status: CheckStatus;
  /** A few words: what was checked. */
  title: string;
  /** What was found. Never a secret. */
  detail: string;
  /** One sentence: what to do. Present on warn and fail. */
  fix?: string;
}

export interface DoctorReport {
  version: 1;
  at: string;
  config: string;
  root: string;
  ok: boolean;
  summary: Record<CheckStatus, number>;
  checks: Check[];
}

/** The file system, as far as doctor reads it (the CLI passes node:fs in; tests may fake it). */
export interface FilePort {
  /** null when the file does not exist or cannot be read. */
  readText(path: string): Promise<string | null>;
  /** null when nothing is there. `mode` holds the permission bits and file type. */
  stat(path: string): Promise<{ isFile: boolean; isDirectory: boolean; mode: number; uid: number } | null>;
  /** Entry names, [] when the directory does not exist. */
  list(dir: string): Promise<string[]>;
  executable(path: string): Promise<boolean>;
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

export interface OvhCredentialInfo {
  status?: string;
  rules?: Array<{ method?: string; path?: string }>;
  expiration?: string | null;
}

/** The OVH calls doctor makes, bound to one set of credentials. Errors are CarpOvhErrors. */
export interface OvhProbe {
  readonly apiRoot: string;
  clockOffset(signal: AbortSignal): Promise<number>;
  currentCredential(signal: AbortSignal): Promise<OvhCredentialInfo>;
  get(path: string, signal: AbortSignal): Promise<unknown>;
  close(): void;
}

/** Where `install` puts things, as paths on the target system (before the --root prefix). */
export interface InstallLayout {
  devdRule: string;
  syshook: string;
  cronFile: string;
  rcScript: string;
  /** OPNsense's service-status scripts (carp-ovh's probes go there). */
  serviceStatusDir: string;
  /** Directories whose *.conf devd reads (the base rules first). */
  devdDirs: string[];
  /** Single files devd also reads. */
  devdFiles: string[];
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
  layout: InstallLayout;
  env: Readonly<Record<string, string | undefined>>;
  files: FilePort;
  carp: Carp;
  state: StateDir;
  /** null when the credentials come from a file rather than Vault. */
  inspectVault: (() => Promise<VaultReport>) | null;
  /** The secret files whose mode matters (the secretsmith file, its token file, the credentials file), each with its mode problem. */
  secretFiles: () => Promise<SecretFile[]>;
  readCredentials: (signal: AbortSignal) => Promise<OvhCredentials>;
  ovh: (credentials: OvhCredentials) => Promise<OvhProbe>;
  now: () => number;
}
