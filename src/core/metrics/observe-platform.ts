import type { Config } from '../../config/types.ts';
import { entryKeyOf } from '../../config/platform-kinds.ts';
import { DEMOTION_FILE, type DemotionFile } from '../demotion.ts';
import { observeEntries } from '../health/observe.ts';
import type { Platform, StateStore } from '../ports/index.ts';
import type { EntryLabels } from './families.ts';
import type { PlatformSeen } from './recorder.ts';

/** The failover entries as metrics label them. */
export function entryLabelsOf(config: Config): EntryLabels[] {
  return config.failover.map((entry) => ({ key: entryKeyOf(config.platform.kind, entry), addresses: entry.addresses }));
}

/** State per entry, the platform's demotion value and the reasons held. */
export async function observePlatform(config: Config, platform: Platform, state: StateStore): Promise<PlatformSeen> {
  const [observed, demotion, reasons] = await Promise.all([
    observeEntries(platform, config.failover),
    platform.readDemotion().then(
      (reading) => reading.value,
      () => null,
    ),
    state.readJson<DemotionFile>(DEMOTION_FILE).then(({ value }) => Object.keys(value?.reasons ?? {})),
  ]);
  const masters: Record<string, boolean> = {};
  const macs: Record<string, string | null> = {};
  for (const o of observed) {
    masters[o.key] = o.state === 'MASTER';
    macs[o.key] = o.mac;
  }
  return { masters, macs, demotion, reasons };
}
