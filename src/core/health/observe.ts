import type { FailoverEntry } from '../../config/types.ts';
import { ourMac } from '../our-mac.ts';
import type { CarpState, Platform } from '../ports/index.ts';

export interface Observed {
  entry: FailoverEntry;
  /** What the platform's events call the entry (`2@vmx1`, `carp0`, `VI_1`). */
  key: string;
  state: CarpState | 'absent';
  /** The MAC OVH must route this entry's addresses to (lower case); null when unknown. */
  mac: string | null;
}

/** Each configured entry's state here and this router's MAC for it, read side by side. */
export async function observeEntries(platform: Platform, failover: readonly FailoverEntry[]): Promise<Observed[]> {
  return Promise.all(
    failover.map(async (entry) => {
      const view = await platform.readEntry(entry);
      return { entry, key: platform.entryKey(entry), state: view.state, mac: ourMac(entry, view) };
    }),
  );
}
