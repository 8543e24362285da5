import type { FailoverEntry } from '../config/types.ts';
import type { EntryView, Placement } from './ports/index.ts';

/** The MAC OVH must route this entry's addresses to: failover[].mac when set, else what the platform shows (lower case). */
export function ourMac(entry: FailoverEntry, view: Pick<EntryView, 'mac'> | null): string | null {
  const mac = entry.mac ?? view?.mac ?? null;
  return mac === null ? null : mac.toLowerCase();
}

/** Whether OVH routes this placement to this router: the provider's word, else its holder against our MAC. */
export function isHere(placement: Placement | undefined, mac: string | null): boolean | null {
  if (placement === undefined || placement.holder === null) return false;
  if (placement.here !== undefined) return placement.here;
  return mac === null ? null : placement.holder === mac;
}
