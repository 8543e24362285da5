/** The configuration after validation and normalisation: durations in ms, defaults applied. */

export type FailoverVia = 'virtual-mac';

export interface FailoverEntry {
  vhid: number;
  interface: string;
  addresses: string[];
  via: FailoverVia;
  server: string;
  vmName: string | null;
  /** Overrides the interface's `ether` as the MAC OVH must route to. */
  mac: string | null;
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
  kind: 'freebsd';
  ifconfig: string;
  sysctl: string;
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
