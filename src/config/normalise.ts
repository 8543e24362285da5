import { join } from 'node:path';
import { parseDuration } from '../duration.ts';
import type { Config, LogConfig } from './types.ts';

/**
 * Layer 2: turns the schema-valid raw object (defaults already filled in by ajv)
 * into the typed Config the rest of the tool reads. Nothing here can fail on a
 * schema-valid input, which is why it throws only on programming errors.
 */
// The raw object mirrors the schema; typing it fully would restate schema.ts.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Raw = any;

export function normalise(raw: Raw, source: string): Config {
  const stateDir: string = raw.state_dir;
  const vault = raw.ovh.credentials.vault;
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
    failover: raw.failover.map((entry: Raw) => ({
      vhid: entry.vhid,
      interface: entry.interface,
      addresses: [...entry.addresses],
      via: entry.via,
      server: entry.server,
      vmName: entry.vm_name ?? null,
      mac: typeof entry.mac === 'string' ? entry.mac.toLowerCase() : null,
    })),
    platform: {
      kind: raw.platform.kind,
      ifconfig: raw.platform.ifconfig,
      sysctl: raw.platform.sysctl,
      timeoutMs: ms(raw.platform.timeout),
    },
    health: {
      scripts: raw.health.scripts,
      demotion: raw.health.demotion,
      fall: raw.health.fall,
      rise: raw.health.rise,
      claimHoldMs: ms(raw.health.claim_hold),
      probeTimeoutMs: ms(raw.health.probe_timeout),
      scriptTimeoutMs: ms(raw.health.script_timeout),
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
