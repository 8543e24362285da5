import type { FailoverEntry } from '../../src/config/types.ts';
import type { EntryView, Platform } from '../../src/core/ports/index.ts';

/**
 * An in-memory FreeBSD-like platform for in-process claims: entries keyed
 * `vhid@interface`, a demotion counter carp-ovh adds its share to (other
 * owners' parts kept), as net.inet.carp.demotion behaves.
 */
export function memoryPlatform(view: (entry: FailoverEntry) => EntryView, share = 2 ** 20): Platform & { demotion: () => number } {
  let demotion = 0;
  const ours = (): boolean => (Math.trunc(demotion / share) & 1) === 1;
  return {
    kind: 'freebsd',
    entryKey: (entry) => `${entry.vhid ?? '?'}@${entry.interface}`,
    readEntry: async (entry) => view(entry),
    readDemotion: async () => ({ value: demotion, ours: ours() }),
    setDemoted: async (on) => {
      if (ours() === on) return { value: demotion, ours: on, changed: false };
      demotion += on ? share : -share;
      return { value: demotion, ours: on, changed: true };
    },
    describeDemotion: () => 'net.inet.carp.demotion',
    doctorChecks: async () => [],
    demotion: () => demotion,
  };
}
