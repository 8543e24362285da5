/** The configuration after validation and normalisation: durations in ms, defaults applied. */

/** How OVH is made to route the VIP here (docs/configuration.md, "Providers"). */
export type FailoverVia = 'virtual-mac' | 'ip-move' | 'cloud';
export const FAILOVER_VIAS: readonly FailoverVia[] = ['virtual-mac', 'ip-move', 'cloud'];

/** Who runs the election and takes the demotion (docs/configuration.md, "Platforms"). */
export type PlatformKind = 'freebsd' | 'openbsd' | 'keepalived';
export const PLATFORM_KINDS: readonly PlatformKind[] = ['freebsd', 'openbsd', 'keepalived'];

/**
 * One failover entry. Keys that only some platforms or providers use are absent
 * (not undefined) when the operator did not write them; src/config/rules.ts
 * says which are required where.
 */
export interface FailoverEntry {
  /** CARP vhid: required on freebsd, optional on openbsd, unused on keepalived. */
  vhid?: number;
  interface: string;
  addresses: string[];
  via: FailoverVia;
  /** The dedicated server (virtual-mac, ip-move). */
  server?: string;
  vmName: string | null;
  /** Overrides the interface's `ether` as the MAC OVH must route to. */
  mac: string | null;
  /** keepalived: the vrrp_instance whose events this entry follows. */
  vrrpInstance?: string;
  /** cloud: the Public Cloud project (its serviceName). */
  project?: string;
  /** cloud: this router's instance, by name or id. */
  instance?: string;
  /** ip-move: the next hop sent with the move, when the server needs one. */
  nexthop?: string;
  /** Add the VIP as a /32 alias on this interface while MASTER, remove it otherwise. */
  alias?: { interface: string };
}

export interface VaultCredentialsConfig {
  kind: 'vault';
  config: string;
  mount: string;
  path: string;
  kvVersion: 1 | 2;
  timeoutMs: number;
  allowEnvSkipVerify: boolean;
}

export interface FileCredentialsConfig {
  kind: 'file';
  file: string;
}

export interface OvhConfig {
  endpoint: string | null;
  url: string | null;
  ca: string | null;
  timeoutMs: number;
  pollIntervalMs: number;
  deadlineMs: number;
  maxRpm: number;
  retries: number;
  credentials: VaultCredentialsConfig | FileCredentialsConfig;
}

export interface PlatformConfig {
  kind: PlatformKind;
  /** freebsd, openbsd. */
  ifconfig: string;
  /** freebsd, openbsd. */
  sysctl: string;
  /** keepalived: iproute2's ip. */
  ip: string;
  /** keepalived: the file named in keepalived's track_file block. */
  trackFile: string;
  timeoutMs: number;
}

export interface HealthConfig {
  scripts: string;
  demotion: number;
  fall: number;
  rise: number;
  claimHoldMs: number;
  probeTimeoutMs: number;
  scriptTimeoutMs: number;
  /** How often `check --every` reads OVH for the ovh-api probe (at every run while it fails). */
  ovhIntervalMs: number;
  /** How often `check --every` compares CARP with OVH's placement (at once when the MASTER set changes). */
  claimIntervalMs: number;
  /**
   * How long `check --every` trusts its last read of the platform (each entry's
   * CARP state, our demotion share) while no CARP event, reason change or repair
   * says it changed. 0 reads it at every run.
   */
  platformIntervalMs: number;
  /** How long `check --every` uses a secret it read before reading it again on the same token. */
  secretRefreshMs: number;
}

export interface SyslogConfig {
  tag: string;
  facility: string;
  logger: string;
}

export interface LogConfig {
  level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
  syslog: SyslogConfig | null;
  file: string;
}

export interface MetricsConfig {
  /** Where the Prometheus text is written after every check and claim; null = not written. */
  textfile: string | null;
  /** host:port `check --every` serves /metrics on; null = no listener. */
  listen: { host: string; port: number } | null;
}

export interface NotifyConfig {
  /** A directory (every executable in it) or a list of executables; null = no notifications. */
  scripts: { kind: 'dir'; dir: string } | { kind: 'list'; paths: string[] } | null;
  timeoutMs: number;
  /** At most this many notify scripts run at once; further events are dropped (and logged). */
  maxRunning: number;
}

export interface Config {
  /** Absolute path of the file this came from. */
  source: string;
  ovh: OvhConfig;
  failover: FailoverEntry[];
  platform: PlatformConfig;
  health: HealthConfig;
  stateDir: string;
  log: LogConfig;
  metrics: MetricsConfig;
  notify: NotifyConfig;
}

export const DEFAULT_CONFIG_PATH = '/usr/local/etc/carp-ovh.yaml';
