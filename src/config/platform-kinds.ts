import type { FailoverEntry, FailoverVia, PlatformKind } from './types.ts';

/**
 * What the configuration knows about each platform kind and each `via`: which
 * keys an entry needs, what its events call it, the demotion share's default and
 * bounds. The adapters live in src/platform/ and src/providers/; this table is
 * the config's side of them, so adding a platform adds one row here.
 *
 * Kept free of imports beyond types: the hook's fast path reads
 * `defaultPlatformKind` to pick its argument parser without loading the YAML
 * parser.
 */

export interface KindFacts {
  /** Entry keys (as written in YAML) every failover entry must have. */
  requires: readonly string[];
  /** Entry keys this platform does not use: writing one is a mistake worth saying. */
  refuses: readonly string[];
  /** How the platform's events name an entry: the hook's first argument, the state file's name. */
  entryKey(entry: Pick<FailoverEntry, 'vhid' | 'interface' | 'vrrpInstance'>): string;
  demotion: { default: number; min: number; max: number; powerOfTwo: boolean; what: string };
}

export const KIND_FACTS: Readonly<Record<PlatformKind, KindFacts>> = {
  freebsd: {
    requires: ['vhid'],
    refuses: ['vrrp_instance'],
    entryKey: (entry) => `${entry.vhid ?? '?'}@${entry.interface}`,
    // One bit of the additive net.inet.carp.demotion, as OPNsense's service hooks use.
    demotion: {
      default: 2 ** 20,
      min: 1,
      max: 2 ** 30,
      powerOfTwo: true,
      what: 'a power of two such as 1048576 (2^20): carp-ovh owns one bit of net.inet.carp.demotion',
    },
  },
  openbsd: {
    requires: [],
    refuses: ['vrrp_instance'],
    entryKey: (entry) => entry.interface,
    // One carpdemote call: the kernel takes at most 128 and keeps the group counter in 0..255.
    demotion: { default: 16, min: 1, max: 128, powerOfTwo: false, what: 'an integer from 1 to 128 (one ifconfig -g carp carpdemote N)' },
  },
  keepalived: {
    requires: ['vrrp_instance'],
    refuses: ['vhid'],
    entryKey: (entry) => entry.vrrpInstance ?? '?',
    // The number written to the track file; keepalived multiplies it by the track_file weight.
    demotion: { default: 1, min: 1, max: 254, powerOfTwo: false, what: 'an integer from 1 to 254 (the number written to the track file)' },
  },
};

export interface ViaFacts {
  requires: readonly string[];
}

/** Keys that belong to one `via` only; any other `via` refuses them. */
export const VIA_ONLY_KEYS: Readonly<Record<string, FailoverVia>> = { project: 'cloud', instance: 'cloud', nexthop: 'ip-move' };

export const VIA_FACTS: Readonly<Record<FailoverVia, ViaFacts>> = {
  'virtual-mac': { requires: ['server'] },
  'ip-move': { requires: ['server'] },
  cloud: { requires: ['project', 'instance'] },
};

/**
 * `platform.kind` when the config does not say: the host's own platform. Linux
 * runs no CARP, so there it is keepalived when the entries name a vrrp_instance;
 * a Linux config keyed by vhid is for the FreeBSD stand-ins (tests, demo), so
 * freebsd.
 */
export function defaultPlatformKind(os: NodeJS.Platform, entriesNameVrrpInstance: boolean): PlatformKind {
  if (os === 'openbsd') return 'openbsd';
  if (os === 'linux' && entriesNameVrrpInstance) return 'keepalived';
  return 'freebsd';
}

/** What the configured platform's events call this entry (the same as its `Platform.entryKey`). */
export function entryKeyOf(kind: PlatformKind, entry: Pick<FailoverEntry, 'vhid' | 'interface' | 'vrrpInstance'>): string {
  return KIND_FACTS[kind].entryKey(entry);
}
