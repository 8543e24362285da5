import type { Config } from '../../config/types.ts';
import type { StateDir } from '../../state.ts';
import { DEMOTION_FILE, type DemotionFile } from '../demotion.ts';
import { observeVhids } from '../health/observe.ts';
import type { Carp } from '../ports.ts';
import { keyOf } from '../reconcile.ts';
import type { EntryLabels } from './families.ts';
import type { PlatformSeen } from './recorder.ts';

/** The failover entries as metrics label them. */
export function entryLabelsOf(config: Config): EntryLabels[] {
  return config.failover.map((entry) => ({ key: keyOf(entry), addresses: entry.addresses }));
}

/** CARP state per entry, the demotion counter and the reasons held: one ifconfig per interface, one sysctl read. */
export async function observePlatform(config: Config, carp: Carp, state: StateDir): Promise<PlatformSeen> {
  const [observed, demotion, reasons] = await Promise.all([
    observeVhids(carp, config.failover),
    carp.readDemotion().catch(() => null),
    state.readJson<DemotionFile>(DEMOTION_FILE).then(({ value }) => Object.keys(value?.reasons ?? {})),
  ]);
  const masters: Record<string, boolean> = {};
  const macs: Record<string, string | null> = {};
  for (const o of observed) {
    masters[keyOf(o.entry)] = o.state === 'MASTER';
    macs[keyOf(o.entry)] = o.mac;
  }
  return { masters, macs, demotion, reasons };
}
