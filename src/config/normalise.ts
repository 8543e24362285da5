import { join } from 'node:path';
import { parseDuration } from '../duration.ts';
import { defaultPlatformKind, KIND_FACTS } from './platform-kinds.ts';
import type { Config, FailoverEntry, LogConfig, PlatformKind } from './types.ts';

/**
 * Layer 2: turns the schema-valid raw object (defaults already filled in by ajv)
 * into the typed Config the rest of the tool reads. Nothing here can fail on a
 * schema-valid input, which is why it throws only on programming errors.
 */
// The raw object mirrors the schema; typing it fully would restate schema.ts.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Raw = any;

export function normalise(raw: Raw, source: string, os: NodeJS.Platform = process.platform): Config {
  const stateDir: string = raw.state_dir;
  const vault = raw.ovh.credentials.vault;
  const kind: PlatformKind =
    raw.platform.kind ??
    defaultPlatformKind(
      os,
      raw.failover.some((entry: Raw) => entry.vrrp_instance !== undefined),
    );
  return {
    source,
    ovh: {
      endpoint: raw.ovh.url === undefined ? (raw.ovh.endpoint ?? 'ovh-eu') : null,
      url: raw.ovh.url ?? null,
      ca: raw.ovh.ca ?? null,
      timeoutMs: ms(raw.ovh.timeout),
      pollIntervalMs: ms(raw.ovh.poll_interval),
      deadlineMs: ms(raw.ovh.deadline),
      maxRpm: raw.ovh.max_rpm,
      retries: raw.ovh.retries,
      credentials:
        vault !== undefined
          ? {
              kind: 'vault',
              config: vault.config,
              mount: vault.mount,
              path: vault.path,
              kvVersion: vault.kv_version,
              timeoutMs: ms(vault.timeout),
              allowEnvSkipVerify: vault.allow_env_skip_verify,
            }
          : { kind: 'file', file: raw.ovh.credentials.file },
    },
    failover: raw.failover.map(normaliseEntry),
    platform: {
      kind,
      ifconfig: raw.platform.ifconfig,
      sysctl: raw.platform.sysctl,
      ip: raw.platform.ip,
      trackFile: raw.platform.track_file,
      timeoutMs: ms(raw.platform.timeout),
    },
    health: {
      scripts: raw.health.scripts,
      demotion: raw.health.demotion ?? KIND_FACTS[kind].demotion.default,
      fall: raw.health.fall,
      rise: raw.health.rise,
      claimHoldMs: ms(raw.health.claim_hold),
      probeTimeoutMs: ms(raw.health.probe_timeout),
      scriptTimeoutMs: ms(raw.health.script_timeout),
      ovhIntervalMs: ms(raw.health.ovh_interval),
      claimIntervalMs: ms(raw.health.claim_interval),
      platformIntervalMs: ms(raw.health.platform_interval),
      secretRefreshMs: ms(raw.health.secret_refresh),
    },
    stateDir,
    log: normaliseLog(raw.log, stateDir),
    metrics: {
      textfile: raw.metrics.textfile ?? null,
      listen: typeof raw.metrics.listen === 'string' ? hostPort(raw.metrics.listen) : null,
    },
    notify: {
      scripts:
        raw.notify.scripts === undefined
          ? null
          : typeof raw.notify.scripts === 'string'
            ? { kind: 'dir', dir: raw.notify.scripts }
            : { kind: 'list', paths: [...raw.notify.scripts] },
      timeoutMs: ms(raw.notify.timeout),
      maxRunning: raw.notify.max_running,
    },
  };
}

/** Keys the operator did not write stay absent, so an entry shows only what applies to it. */
function normaliseEntry(entry: Raw): FailoverEntry {
  const out: FailoverEntry = {
    ...(entry.vhid === undefined ? {} : { vhid: entry.vhid }),
    interface: entry.interface,
    addresses: [...entry.addresses],
    via: entry.via,
    ...(entry.server === undefined ? {} : { server: entry.server }),
    vmName: entry.vm_name ?? null,
    mac: typeof entry.mac === 'string' ? entry.mac.toLowerCase() : null,
  };
  if (entry.vrrp_instance !== undefined) out.vrrpInstance = entry.vrrp_instance;
  if (entry.project !== undefined) out.project = entry.project;
  if (entry.instance !== undefined) out.instance = entry.instance;
  if (entry.nexthop !== undefined) out.nexthop = entry.nexthop;
  if (entry.alias !== undefined) out.alias = { interface: entry.alias.interface };
  return out;
}

/** `127.0.0.1:9742`, `[::1]:9742`: the schema has checked the shape. */
function hostPort(text: string): { host: string; port: number } {
  const colon = text.lastIndexOf(':');
  const host = text.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  return { host, port: Number(text.slice(colon + 1)) };
}

function normaliseLog(raw: Raw, stateDir: string): LogConfig {
  // ajv does not apply defaults inside anyOf, so syslog's own defaults live here.
  const syslog =
    raw.syslog === false
      ? null
      : {
          tag: raw.syslog?.tag ?? 'carp-ovh',
          facility: raw.syslog?.facility ?? 'daemon',
          logger: raw.syslog?.logger ?? '/usr/bin/logger',
        };
  return { level: raw.level, syslog, file: raw.file ?? join(stateDir, 'carp-ovh.log') };
}

function ms(value: unknown): number {
  const parsed = parseDuration(value);
  if (parsed === null) throw new Error(`schema let through a malformed duration: ${String(value)}`);
  return parsed;
}
