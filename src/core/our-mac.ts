import type { FailoverEntry } from '../config/types.ts';
import type { EntryView } from './ports/index.ts';

/** The MAC OVH must route this entry's addresses to: failover[].mac when set, else what the platform shows (lower case). */
export function ourMac(entry: FailoverEntry, view: Pick<EntryView, 'mac'> | null): string | null {
  const mac = entry.mac ?? view?.mac ?? null;
  return mac === null ? null : mac.toLowerCase();
}
