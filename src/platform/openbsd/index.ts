import { isAbsolute } from 'node:path';
import { CarpOvhError } from '../../errors.ts';
import { aliasCheck } from '../alias-check.ts';
import { firstLine, platformError, runTool, toolFailed, type ToolRun } from '../run-tool.ts';
import { parseDemoteCount, parseInterface, type OpenBsdInterface } from './ifconfig-parse.ts';
import { shown, validateInterface, validateIpv4 } from './names.ts';
import type { Config } from '../../config/types.ts';
import type { Platform } from '../../core/ports/index.ts';
import type { AliasPort, DemotionChange, DemotionReading, EntryFacts, EntryView, PlatformCheck } from './port.ts';
import { shareNow, ShareStore } from './share.ts';

/**
 * OpenBSD CARP (carp(4) interfaces, ifstated): `ifconfig carp0` for the state,
 * the carp group's demote counter for demotion (`ifconfig -g carp [-]carpdemote N`),
 * `sysctl` for kern.boottime and net.inet.carp.preempt. Commands run by absolute
 * path, without a shell, under a deadline.
 */

export interface OpenBsdOptions {
  ifconfig: string;
  sysctl: string;
  timeoutMs?: number;
  /** Where our share of the demote counter is remembered (state_dir). */
  stateDir: string;
  /** health.demotion: what one `carpdemote` adds, 1..128 (ifconfig's own bound). */
  share: number;
  /** The interface group whose counter is ours; every carp interface is in `carp`. */
  group?: string;
}

export const DEFAULT_OPENBSD_SHARE = 16;
const DEFAULT_TIMEOUT_MS = 5_000;
/** The carp(4) virtual MAC (00:00:5e:00:01:vhid): never the one OVH routes to. */
const CARP_VIRTUAL_MAC = /^00:00:5e:00:01:[0-9a-f]{2}$/;

type Tool = 'ifconfig' | 'sysctl';

function checkPath(tool: Tool, path: unknown): string {
  if (typeof path !== 'string' || !isAbsolute(path)) {
    throw new CarpOvhError(`platform.${tool} must be an absolute path, got ${JSON.stringify(path)}`, { source: 'config', badInput: true });
  }
  return path;
}

export interface OpenBsdPlatform {
  readonly kind: 'openbsd';
  entryKey(entry: EntryFacts): string;
  readEntry(entry: EntryFacts): Promise<EntryView>;
  readDemotion(): Promise<DemotionReading>;
  setDemoted(on: boolean): Promise<DemotionChange>;
  describeDemotion(): string;
  alias: AliasPort;
  readInterface(name: string): Promise<OpenBsdInterface | null>;
  readSysctl(name: string): Promise<number>;
  doctorChecks(entries: readonly EntryFacts[]): Promise<PlatformCheck[]>;
}

export function createOpenBsdPlatform(options: OpenBsdOptions): OpenBsdPlatform {
  const paths: Record<Tool, string> = { ifconfig: checkPath('ifconfig', options.ifconfig), sysctl: checkPath('sysctl', options.sysctl) };
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const group = options.group ?? 'carp';
  const share = options.share;
  if (!Number.isInteger(share) || share < 1 || share > 128) {
    throw new CarpOvhError(`health.demotion must be 1..128 on OpenBSD (ifconfig -g carp carpdemote N takes at most 128), got ${share}`, {
      source: 'config',
      badInput: true,
    });
  }
  const store = new ShareStore(options.stateDir);

  function invoke(tool: Tool, args: string[]): Promise<ToolRun> {
    return runTool({ name: tool, path: paths[tool], where: `set platform.${tool} in the configuration to /sbin/${tool}` }, args, timeoutMs);
  }

  async function readInterface(name: string): Promise<OpenBsdInterface | null> {
    validateInterface(name);
    const result = await invoke('ifconfig', [name]);
    if (result.exitCode !== 0) {
      if (/: no such interface$/m.test(result.stderr)) return null;
      throw toolFailed(result);
    }
    return parseInterface(result.stdout, name);
  }

  async function readSysctl(name: string): Promise<number> {
    if (!/^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$/.test(name)) throw platformError(`invalid sysctl name ${shown(name)}`, { badInput: true });
    const result = await invoke('sysctl', ['-n', name]);
    if (result.exitCode !== 0) throw toolFailed(result);
    const text = result.stdout.trim();
    if (!/^-?\d{1,16}$/.test(text))
      throw platformError(`${result.command} printed ${JSON.stringify(firstLine(result.stdout))}, not an integer`, { badInput: true });
    return Number(text);
  }

  async function readCounter(): Promise<number> {
    const result = await invoke('ifconfig', ['-g', group]);
    if (result.exitCode !== 0) {
      const hint = /No such file or directory/.test(result.stderr) ? ` (no interface is in group ${group}: is carp0 configured?)` : '';
      throw toolFailed(result, hint);
    }
    return parseDemoteCount(result.stdout, group);
  }

  async function reading(): Promise<{ value: number; ours: number; boottime: number }> {
    const [boottime, value, record] = await Promise.all([readSysctl('kern.boottime'), readCounter(), store.read()]);
    return { value, ours: shareNow(record, boottime, value), boottime };
  }

  async function changeCounter(op: 'add' | 'remove', amount: number, before: number): Promise<void> {
    const result = await invoke('ifconfig', ['-g', group, op === 'add' ? 'carpdemote' : '-carpdemote', String(amount)]);
    if (result.exitCode === 0) return;
    // The kernel refuses (EINVAL, ERANGE in newer releases) a counter outside 0..255.
    const bounds = /SIOCSIFGATTR: (Invalid argument|Result too large)/.test(result.stderr)
      ? ` (the ${group} group's demote counter is ${before}; the kernel keeps it within 0..255)`
      : '';
    throw toolFailed(result, bounds);
  }

  async function entryMac(entry: EntryFacts, carp: OpenBsdInterface): Promise<string | null> {
    // OVH routes the failover IP to the NIC where its traffic arrives: the alias
    // interface, else the carpdev. carp0's own lladdr is the CARP virtual MAC.
    const where = entry.alias?.interface ?? carp.carp?.carpdev;
    if (where === undefined) return null;
    const nic = await readInterface(where);
    const mac = nic?.lladdr ?? null;
    return mac !== null && CARP_VIRTUAL_MAC.test(mac) ? null : mac;
  }

  const alias: AliasPort = {
    async add(iface, address) {
      validateInterface(iface);
      validateIpv4(address);
      const result = await invoke('ifconfig', [iface, 'inet', `${address}/32`, 'alias']);
      if (result.exitCode !== 0) throw toolFailed(result);
    },
    async remove(iface, address) {
      validateInterface(iface);
      validateIpv4(address);
      const result = await invoke('ifconfig', [iface, 'inet', address, '-alias']);
      // Already gone is what we wanted (SIOCDIFADDR: EADDRNOTAVAIL).
      if (result.exitCode !== 0 && !/SIOCDIFADDR: Can't assign requested address/.test(result.stderr)) throw toolFailed(result);
    },
    async has(iface, address) {
      validateIpv4(address);
      const nic = await readInterface(iface);
      if (nic === null) throw platformError(`interface ${iface} (alias.interface) does not exist`);
      return nic.inet.includes(address);
    },
  };

  return {
    kind: 'openbsd',
    entryKey: (entry) => entry.interface,
    async readEntry(entry) {
      const carp = await readInterface(entry.interface);
      if (carp === null) return { state: 'absent', mac: null, detail: `${entry.interface} does not exist` };
      if (carp.carp === null) return { state: 'absent', mac: null, detail: `${entry.interface} is not a carp interface` };
      if (entry.vhid !== undefined && carp.carp.vhid !== entry.vhid) {
        return { state: 'absent', mac: null, detail: `${entry.interface} has vhid ${carp.carp.vhid}, not ${entry.vhid}` };
      }
      return { state: carp.carp.state, mac: await entryMac(entry, carp), detail: carp.carpLine ?? undefined };
    },
    async readDemotion() {
      const now = await reading();
      return { value: now.value, ours: now.ours > 0 };
    },
    setDemoted(on) {
      return store.exclusive(async () => {
        const now = await reading();
        if (on === now.ours > 0) return { value: now.value, ours: on, changed: false };
        if (on) {
          await store.write({ boottime: now.boottime, share: 0, pending: { op: 'add', amount: share } });
          try {
            await changeCounter('add', share, now.value);
          } catch (error) {
            await store.write({ boottime: now.boottime, share: 0 });
            throw error;
          }
          await store.write({ boottime: now.boottime, share });
          return { value: now.value + share, ours: true, changed: true };
        }
        // Remove exactly what we added, and never more than the counter holds.
        const amount = now.ours;
        await store.write({ boottime: now.boottime, share: amount, pending: { op: 'remove', amount } });
        try {
          await changeCounter('remove', amount, now.value);
        } catch (error) {
          await store.write({ boottime: now.boottime, share: amount });
          throw error;
        }
        await store.write({ boottime: now.boottime, share: 0 });
        return { value: now.value - amount, ours: false, changed: true };
      }, timeoutMs * 4);
    },
    describeDemotion: () => `the ${group} group's carp demote counter (ifconfig -g ${group})`,
    alias,
    readInterface,
    readSysctl,
    async doctorChecks(entries) {
      const checks: PlatformCheck[] = [];
      const check = (id: string, status: PlatformCheck['status'], title: string, detail: string, fix?: string): void => {
        checks.push({ id, group: 'platform', status, title, detail, ...(fix === undefined ? {} : { fix }) });
      };
      for (const entry of entries) {
        try {
          const view = await this.readEntry(entry);
          if (view.state === 'absent') {
            check(
              `carp.interface:${entry.interface}`,
              'fail',
              `carp interface ${entry.interface}`,
              view.detail ?? 'absent',
              `create it (/etc/hostname.${entry.interface}: inet ADDR NETMASK BROADCAST vhid N carpdev IF pass …) or correct failover[].interface.`,
            );
          } else if (view.mac === null) {
            check(
              `carp.interface:${entry.interface}`,
              'fail',
              `carp interface ${entry.interface}`,
              `${view.detail ?? view.state}; no lladdr for the interface OVH routes to`,
              'set alias.interface, or failover[].mac to the MAC OVH knows.',
            );
          } else {
            check(`carp.interface:${entry.interface}`, 'pass', `carp interface ${entry.interface}`, `${view.detail ?? view.state}; our MAC ${view.mac}`);
          }
          const aliased = await aliasCheck(entry, entry.interface, view.state, alias);
          if (aliased !== null) checks.push(aliased);
        } catch (error) {
          check(
            `carp.interface:${entry.interface}`,
            'fail',
            `carp interface ${entry.interface}`,
            error instanceof Error ? error.message : String(error),
            'fix platform.ifconfig, then run doctor again.',
          );
        }
      }
      try {
        const preempt = await readSysctl('net.inet.carp.preempt');
        // The demote count travels in every advertisement, so a demoted master hands over
        // whatever preempt says; preempt decides whether a recovered router takes MASTER back.
        check(
          'sysctl.preempt',
          'pass',
          'net.inet.carp.preempt',
          preempt === 0
            ? '0: a demoted master still hands over; a recovered router stays BACKUP until the other is demoted or fails'
            : `${preempt}: a recovered router with the lower advskew takes MASTER back`,
        );
      } catch (error) {
        check(
          'sysctl.preempt',
          'fail',
          'net.inet.carp.preempt',
          error instanceof Error ? error.message : String(error),
          'set platform.sysctl to /sbin/sysctl.',
        );
      }
      try {
        const now = await reading();
        const detail = `${now.value}${now.ours > 0 ? ` (carp-ovh's share ${now.ours} is in)` : ''}`;
        if (now.value + share > 255 && now.ours === 0) {
          check(
            'carp.demote',
            'warn',
            `${group} demote count`,
            `${detail}; adding ${share} would leave 0..255 and the kernel would refuse it`,
            `lower health.demotion or find what raised the counter (ifconfig -g ${group}).`,
          );
        } else check('carp.demote', 'pass', `${group} demote count`, detail);
      } catch (error) {
        check(
          'carp.demote',
          'fail',
          `${group} demote count`,
          error instanceof Error ? error.message : String(error),
          `configure a carp interface (it joins group ${group}).`,
        );
      }
      return checks;
    },
  };
}

/** The wiring's entry point (src/cli/wiring/adapters.ts): the Platform port for this config. */
export function createPlatform(config: Config): Platform {
  const platform = createOpenBsdPlatform({
    ifconfig: config.platform.ifconfig,
    sysctl: config.platform.sysctl,
    timeoutMs: config.platform.timeoutMs,
    stateDir: config.stateDir,
    share: config.health.demotion,
  });
  return {
    kind: platform.kind,
    entryKey: (entry) => platform.entryKey(entry),
    readEntry: (entry) => platform.readEntry(entry),
    readDemotion: () => platform.readDemotion(),
    setDemoted: (on) => platform.setDemoted(on),
    describeDemotion: () => platform.describeDemotion(),
    alias: platform.alias,
    async doctorChecks(ctx) {
      // The platform group, then the install group (what ifstated and rc.d run), as on FreeBSD.
      const { openBsdInstallChecks } = await import('./install-checks.ts');
      const [checks, install] = await Promise.all([
        platform.doctorChecks(ctx.config.failover),
        openBsdInstallChecks({ config: ctx.config, root: ctx.root, files: ctx.files }),
      ]);
      return [...checks, ...install];
    },
  };
}
