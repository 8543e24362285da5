import type { ToolFault } from '../fake-tool-call.ts';
/**
 * The state behind the fake FreeBSD `ifconfig` and `sysctl`: one JSON file per
 * simulated router ("fake kernel"). Optional interface fields fall back to what a
 * vmx(4) NIC on FreeBSD 14 shows, so a test only spells out what it cares about.
 */

export type FakeCarpState = 'MASTER' | 'BACKUP' | 'INIT';
export type FreeBsdVersion = 13 | 14;

export interface FakeInet {
  addr: string;
  /** `0xffffffff`, `255.255.255.255` or a prefix length (32). */
  netmask: string | number;
  /** Defaults to the address with the host bits set, as the kernel computes it. */
  broadcast?: string;
  vhid?: number;
}

export interface FakeInet6 {
  addr: string;
  prefixlen: number;
  /** Set for link-local addresses; ifconfig then prints `addr%iface … scopeid 0xN`. */
  scopeid?: number;
  /** Address flags in ifconfig's order: anycast tentative duplicated detached deprecated autoconf temporary prefer_source. */
  flags?: string[];
  vhid?: number;
}

export interface FakeCarpVhid {
  vhid: number;
  state: FakeCarpState;
  advbase: number;
  advskew: number;
  /** 14.x prints the advertisement peers; these are the multicast defaults. */
  peer?: string;
  peer6?: string;
}

export interface FakeInterface {
  /** Interface flags as FreeBSD 14 reports them (IFF_* plus LOWER_UP 0x1000000). Default 0x1008843. */
  flags?: number;
  mtu?: number;
  metric?: number;
  description?: string;
  /** Capabilities as printed after `options=`, e.g. `4e403bb<RXCSUM,TXCSUM,…>`. Omitted when unset. */
  options?: string;
  /** The NIC's own MAC; null for an interface without one. */
  ether?: string | null;
  inet?: FakeInet[];
  inet6?: FakeInet6[];
  carp?: FakeCarpVhid[];
  /** Defaults: `Ethernet autoselect`, `active`; null hides the line. */
  media?: string | null;
  status?: string | null;
  /** Defaults to what FreeBSD shows with or without IPv6 addresses; null hides the line. */
  nd6?: string | null;
}

/**
 * A failure switch for one tool. `remaining` limits it to the next N calls
 * (then it is removed); without it the fault stays until cleared. The same on
 * every fake kernel (test/support/fake-tool-call.ts).
 */
export type FakeFault = ToolFault;

export type FakeTool = 'ifconfig' | 'sysctl';

export interface FakeKernelState {
  freebsdVersion: FreeBsdVersion;
  /** Listed by `ifconfig` in this order. */
  interfaces: Record<string, FakeInterface>;
  /** Integers (the `I` sysctl type) or strings. */
  sysctls: Record<string, number | string>;
  readOnlySysctls: string[];
  faults: Partial<Record<FakeTool, FakeFault>>;
}

/** What createFakeKernel accepts: everything but the interfaces has a default. */
export interface FakeKernelSetup {
  freebsdVersion?: FreeBsdVersion;
  interfaces: Record<string, FakeInterface>;
  /** Merged over the defaults (carp sysctls as on the Nasqueron routers). */
  sysctls?: Record<string, number | string>;
  readOnlySysctls?: string[];
  faults?: Partial<Record<FakeTool, FakeFault>>;
}

export const DEMOTION_SYSCTL = 'net.inet.carp.demotion';

export function defaultSysctls(version: FreeBsdVersion): Record<string, number | string> {
  return {
    'kern.ostype': 'FreeBSD',
    'kern.osrelease': version === 14 ? '14.3-RELEASE' : '13.5-RELEASE',
    'net.inet.carp.allow': 1,
    'net.inet.carp.dscp': 56,
    // The kernel default is 0; both routers in the seed run with preempt=1, which
    // is what makes demotion hand the MASTER role over.
    'net.inet.carp.preempt': 1,
    'net.inet.carp.log': 1,
    [DEMOTION_SYSCTL]: 0,
    'net.inet.carp.senderr_demotion_factor': 240,
    'net.inet.carp.ifdown_demotion_factor': 240,
    'net.pfsync.carp_demotion_factor': 240,
  };
}

export const DEFAULT_READ_ONLY_SYSCTLS: readonly string[] = ['kern.ostype', 'kern.osrelease'];

export function completeState(setup: FakeKernelSetup, version?: FreeBsdVersion): FakeKernelState {
  const freebsdVersion = version ?? setup.freebsdVersion ?? 14;
  return {
    freebsdVersion,
    interfaces: structuredClone(setup.interfaces),
    sysctls: { ...defaultSysctls(freebsdVersion), ...setup.sysctls },
    readOnlySysctls: [...(setup.readOnlySysctls ?? DEFAULT_READ_ONLY_SYSCTLS)],
    faults: structuredClone(setup.faults ?? {}),
  };
}

/** One line of the call log (JSON lines), written by every invocation of a fake tool. */
export interface FakeCall {
  tool: FakeTool;
  argv: string[];
  /** Epoch milliseconds. */
  time: number;
  pid: number;
  exitCode: number | null;
  /** The fault that answered instead of the tool, if any. */
  fault?: FakeFault['mode'];
  /** Sysctl writes the call applied, in order. */
  writes?: FakeSysctlWrite[];
}

export interface FakeSysctlWrite {
  name: string;
  /** What was written: for the demotion sysctl, the amount added. */
  value: number | string;
  old: number | string;
  new: number | string;
}
