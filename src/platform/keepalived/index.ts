import { isAbsolute } from 'node:path';
import type { Config, FailoverEntry } from '../../config/types.ts';
import type { AliasPort, DemotionChange, DemotionReading, EntryView, Platform, PlatformDoctorContext } from '../../core/ports/index.ts';
import { CarpOvhError } from '../../errors.ts';
import { platformError, runTool, toolFailed, type ToolRun } from '../run-tool.ts';
import { parseIpAddrJson, type LinkAddresses } from './ip-json.ts';
import { shown, validateLinuxInterface } from './names.ts';
import { readTrackFile, writeTrackFile } from './track-file.ts';

/** The parts of a failover entry this platform reads. */
export type EntryFacts = Pick<FailoverEntry, 'interface' | 'addresses' | 'vrrpInstance'>;

/**
 * The Platform port on Linux with keepalived. keepalived runs the election;
 * carp-ovh reads its outcome from the kernel (keepalived puts an instance's
 * virtual_ipaddress entries on the interface while MASTER and takes them off
 * otherwise) and demotes through a track file keepalived watches.
 * `ip` runs by absolute path (platform.ip), without a shell, under a deadline.
 */

export interface KeepalivedPlatformOptions {
  /** Absolute path of iproute2's ip (platform.ip); tests point it at `ip -n NS`. */
  ip: string;
  /** The file named in keepalived's track_file block (platform.track_file). */
  trackFile: string;
  /** What carp-ovh writes to the track file while demoted (health.demotion, 1..254). */
  share: number;
  timeoutMs?: number;
}

export const DEFAULT_COMMAND_TIMEOUT_MS = 5_000;

export interface KeepalivedPlatform extends Platform {
  readonly kind: 'keepalived';
  entryKey(entry: EntryFacts): string;
  readEntry(entry: EntryFacts): Promise<EntryView>;
  readLink(iface: string): Promise<LinkAddresses | null>;
  readDemotion(): Promise<DemotionReading>;
  setDemoted(on: boolean): Promise<DemotionChange>;
  alias: AliasPort;
}

export function createKeepalivedPlatform(options: KeepalivedPlatformOptions): KeepalivedPlatform {
  if (typeof options.ip !== 'string' || !isAbsolute(options.ip)) {
    throw new CarpOvhError(`platform.ip must be an absolute path, got ${shown(options.ip)}`, { source: 'config', badInput: true });
  }
  if (typeof options.trackFile !== 'string' || !isAbsolute(options.trackFile)) {
    throw new CarpOvhError(`platform.track_file must be an absolute path, got ${shown(options.trackFile)}`, { source: 'config', badInput: true });
  }
  if (!Number.isSafeInteger(options.share) || options.share < 1 || options.share > 254) {
    throw new CarpOvhError(`health.demotion on keepalived must be an integer from 1 to 254, got ${String(options.share)}`, {
      source: 'config',
      badInput: true,
    });
  }
  const ipPath = options.ip;
  const trackFile = options.trackFile;
  const share = options.share;
  const timeoutMs = options.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;

  function ip(args: string[]): Promise<ToolRun> {
    const where = "set platform.ip in the configuration to the absolute path of iproute2's ip (/sbin/ip or /usr/sbin/ip)";
    return runTool({ name: 'ip', path: ipPath, where }, args, timeoutMs);
  }

  async function readLink(iface: string): Promise<LinkAddresses | null> {
    validateLinuxInterface(iface);
    // `dev` before the name: a name like "help" is never read as a keyword.
    const result = await ip(['-j', 'addr', 'show', 'dev', iface]);
    if (result.exitCode !== 0) {
      if (/does not exist/.test(result.stderr)) return null;
      throw toolFailed(result);
    }
    try {
      return parseIpAddrJson(result.stdout, iface);
    } catch (error) {
      throw platformError(`${result.command}: ${(error as Error).message}`, { badInput: true, cause: error });
    }
  }

  async function readDemotion(): Promise<DemotionReading> {
    const { value } = await readTrackFile(trackFile);
    return { value, ours: value === share };
  }

  async function changeAlias(verb: 'add' | 'del', iface: string, address: string): Promise<void> {
    validateLinuxInterface(iface);
    const result = await ip(['addr', verb, `${address}/32`, 'dev', iface]);
    if (result.exitCode === 0) return;
    // Idempotent: adding what is there, or removing what is not, is done already.
    if (verb === 'add' && /File exists/.test(result.stderr)) return;
    if (verb === 'del' && /Cannot assign requested address/.test(result.stderr)) return;
    throw toolFailed(result);
  }

  return {
    kind: 'keepalived',
    entryKey: (entry) => entry.vrrpInstance ?? '?',

    async readEntry(entry) {
      const instance = entry.vrrpInstance ?? '?';
      const link = await readLink(entry.interface);
      if (link === null) return { state: 'absent', mac: null, detail: `${entry.interface} does not exist` };
      const present = entry.addresses.filter((address) => link.addresses.includes(address));
      // keepalived adds every virtual_ipaddress on MASTER and removes them all otherwise: part of them is a transition, not MASTER.
      const master = entry.addresses.length > 0 && present.length === entry.addresses.length;
      const detail = master
        ? `${instance}: MASTER (${present.join(', ')} on ${entry.interface})`
        : present.length === 0
          ? `${instance}: not MASTER (none of ${entry.addresses.join(', ')} on ${entry.interface})`
          : `${instance}: not MASTER (only ${present.join(', ')} of ${entry.addresses.join(', ')} on ${entry.interface})`;
      return { state: master ? 'MASTER' : 'BACKUP', mac: link.mac, detail };
    },

    readLink,
    readDemotion,

    async setDemoted(on) {
      const before = await readTrackFile(trackFile);
      const want = on ? share : 0;
      // A missing file is written too: keepalived reads it as 0 but complains about it.
      if (before.exists && before.value === want) return { value: want, ours: want === share, changed: false };
      await writeTrackFile(trackFile, want);
      return { value: want, ours: on, changed: true };
    },

    describeDemotion: () => `track file ${trackFile}`,

    async doctorChecks({ config, files, cliPath, root }: PlatformDoctorContext) {
      const { keepalivedDoctorChecks } = await import('./doctor.ts');
      return keepalivedDoctorChecks({ entries: config.failover, ip: ipPath, trackFile, share, files, cliPath, root });
    },

    alias: {
      add: (iface, address) => changeAlias('add', iface, address),
      remove: (iface, address) => changeAlias('del', iface, address),
      async has(iface, address) {
        const link = await readLink(iface);
        return link !== null && link.addresses.includes(address);
      },
    },
  };
}

/** The wiring's entry point (src/cli/wiring/adapters.ts): the Platform port for this config. */
export function createPlatform(config: Config): Platform {
  return createKeepalivedPlatform({
    ip: config.platform.ip,
    trackFile: config.platform.trackFile,
    share: config.health.demotion,
    timeoutMs: config.platform.timeoutMs,
  });
}
