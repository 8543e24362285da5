import { KIND_FACTS } from '../../config/platform-kinds.ts';
import type { AliasPort, Check, DemotionReading, Platform } from '../../core/ports/index.ts';
import { aliasCheck } from '../alias-check.ts';
import { platformError } from '../run-tool.ts';
import { freeBsdDoctorChecks } from './doctor.ts';
import { installChecks } from './install-checks.ts';
import type { CarpInterface, FreeBsdCarp } from './types.ts';

export const DEMOTION_SYSCTL = 'net.inet.carp.demotion';

/**
 * The Platform port on FreeBSD and OPNsense. carp-ovh owns one bit of the
 * additive net.inet.carp.demotion (health.demotion, 2^20 by default, as OPNsense's
 * service hooks do): the sysctl is the whole state, so a crash or reboot never
 * leaves a stale count, and every other bit (ifdown 240, pfsync…) is someone
 * else's and never touched.
 */
export function freeBsdPlatform(carp: FreeBsdCarp, share: number): Platform {
  const owns = (total: number): boolean => (Math.trunc(total / share) & 1) === 1;
  const readDemotion = async (): Promise<DemotionReading> => {
    const value = await carp.readDemotion();
    return { value, ours: owns(value) };
  };
  // Concurrent reads of one interface (two vhids on vmx1) share one ifconfig.
  const inFlight = new Map<string, Promise<CarpInterface | null>>();
  const readInterface = (name: string): Promise<CarpInterface | null> => {
    let pending = inFlight.get(name);
    if (pending === undefined) {
      pending = carp.readInterface(name).finally(() => inFlight.delete(name));
      inFlight.set(name, pending);
    }
    return pending;
  };

  const aliasInterface = async (iface: string): Promise<CarpInterface> => {
    const found = await carp.readInterface(iface);
    if (found === null) throw platformError(`interface ${iface} (alias.interface) does not exist`);
    return found;
  };
  const alias: AliasPort = {
    has: async (iface, address) => (await aliasInterface(iface)).inet.includes(address),
    add: (iface, address) => carp.addAlias(iface, address),
    async remove(iface, address) {
      try {
        await carp.removeAlias(iface, address);
      } catch (error) {
        // ifconfig refuses to remove an address that is not there (SIOCDIFADDR): gone is what was asked.
        if ((await aliasInterface(iface)).inet.includes(address)) throw error;
      }
    },
  };

  return {
    kind: 'freebsd',
    entryKey: (entry) => KIND_FACTS.freebsd.entryKey(entry),
    async readEntry(entry) {
      const iface = await readInterface(entry.interface);
      if (iface === null) return { state: 'absent', mac: null, detail: `${entry.interface} does not exist` };
      const vhid = iface.vhids.find((v) => v.vhid === entry.vhid);
      // OVH routes the VIP to the NIC where its traffic arrives: with `alias`, the alias interface.
      const mac = entry.alias === undefined ? iface.ether : ((await readInterface(entry.alias.interface))?.ether ?? null);
      if (vhid === undefined) return { state: 'absent', mac, detail: `no vhid ${entry.vhid ?? '?'} on ${entry.interface}` };
      return { state: vhid.state, mac, detail: `${vhid.state} (advbase ${vhid.advbase}, advskew ${vhid.advskew})` };
    },
    readDemotion,
    async setDemoted(on) {
      const now = await readDemotion();
      if (now.ours === on) return { ...now, changed: false };
      const value = await carp.addDemotion(on ? share : -share);
      return { value, ours: on, changed: true };
    },
    describeDemotion: () => DEMOTION_SYSCTL,
    alias,
    async doctorChecks(ctx) {
      const aliases = async (): Promise<Check[]> => {
        const found = await Promise.all(
          ctx.config.failover.map(async (entry) => {
            if (entry.alias === undefined) return null;
            const state = await this.readEntry(entry).then(
              (view) => view.state,
              () => 'absent' as const,
            );
            return aliasCheck(entry, this.entryKey(entry), state, alias);
          }),
        );
        return found.filter((check) => check !== null);
      };
      const [platform, aliased, install] = await Promise.all([
        freeBsdDoctorChecks(ctx, carp),
        aliases(),
        ctx.install.layout === null
          ? []
          : installChecks({ config: ctx.config, root: ctx.root, opnsense: ctx.install.opnsense, layout: ctx.install.layout, files: ctx.files }),
      ]);
      return [...platform, ...aliased, ...install];
    },
  };
}
