import type { FailoverEntry } from '../../config/types.ts';
import type { Carp, CarpState } from '../ports.ts';

export interface Observed {
  entry: FailoverEntry;
  state: CarpState | 'absent';
  /** The MAC OVH must route this vhid's addresses to (lower case); null when unknown. */
  mac: string | null;
}

/** Each configured vhid's CARP state here and this router's MAC for it: one ifconfig per interface. */
export async function observeVhids(carp: Carp, failover: readonly FailoverEntry[]): Promise<Observed[]> {
  const names = [...new Set(failover.map((entry) => entry.interface))];
  const interfaces = new Map(await Promise.all(names.map(async (name) => [name, await carp.readInterface(name)] as const)));
  return failover.map((entry) => {
    const iface = interfaces.get(entry.interface) ?? null;
    const mac = entry.mac ?? iface?.ether ?? null;
    return { entry, state: iface?.vhids.find((v) => v.vhid === entry.vhid)?.state ?? 'absent', mac: mac === null ? null : mac.toLowerCase() };
  });
}
