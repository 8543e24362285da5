import type { ToolFault } from '../fake-tool-call.ts';
/**
 * The state behind the fake OpenBSD `ifconfig` and `sysctl`: one JSON file per
 * simulated instance. Optional fields fall back to what a vio(4) NIC and a carp(4)
 * interface show on OpenBSD 7.x, so a test only spells out what it cares about.
 */

export type ObsdCarpState = 'MASTER' | 'BACKUP' | 'INIT';

export interface ObsdInet {
  addr: string;
  /** Prefix length. */
  prefix: number;
  /** Defaults to the address with the host bits set. */
  broadcast?: string;
}

export interface ObsdCarp {
  state: ObsdCarpState;
  carpdev: string;
  vhid: number;
  advbase: number;
  advskew: number;
}

export interface ObsdInterface {
  /** IFF_* bits. Default 0x8843 (UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST). */
  flags?: number;
  mtu?: number;
  /** The link-layer address; carp(4) shows its virtual 00:00:5e:00:01:vhid here. */
  lladdr?: string | null;
  index: number;
  priority?: number;
  llprio?: number;
  carp?: ObsdCarp;
  /** Interface groups (`groups:` line); carp interfaces are in `carp`. */
  groups?: string[];
  /** null hides the line (carp has no media). Default `Ethernet autoselect`. */
  media?: string | null;
  /** Link state for a NIC (`active`, `no carrier`); carp's comes from its state. */
  status?: string;
  inet?: ObsdInet[];
}

/**
 * Where OpenBSD releases differ in what carp-ovh can see. Each is a switch so the
 * product is tested against all of them.
 * - `demoteRange`: the error if_setgroupattribs returns when the group counter would
 *   leave 0..255 (EINVAL in older sys/net/if.c, ERANGE in newer).
 * - `groupErrors`: ifconfig's err() prefix for group ioctls (`carp: SIOCSIFGATTR` in
 *   newer ifconfig.c, bare `SIOCSIFGATTR` in older).
 */
export interface ObsdDialect {
  demoteRange: 'EINVAL' | 'ERANGE';
  groupErrors: 'named' | 'bare';
}

/** The same faults on every fake kernel (test/support/fake-tool-call.ts). */
export type ObsdFault = ToolFault;

export type ObsdTool = 'ifconfig' | 'sysctl';

export interface ObsdKernelState {
  /** Listed by `ifconfig` in this order. */
  interfaces: Record<string, ObsdInterface>;
  /** Interface group → carp demote counter (if_group's ifg_carp_demoted, 0..255). */
  demote: Record<string, number>;
  /** Integer sysctls; kern.boottime is epoch seconds. */
  sysctls: Record<string, number>;
  dialect: ObsdDialect;
  faults: Partial<Record<ObsdTool, ObsdFault>>;
}

export interface ObsdKernelSetup {
  interfaces: Record<string, ObsdInterface>;
  demote?: Record<string, number>;
  sysctls?: Record<string, number>;
  dialect?: Partial<ObsdDialect>;
  faults?: Partial<Record<ObsdTool, ObsdFault>>;
}

export const BOOTTIME = 'kern.boottime';
/** Sysctls a write cannot change (sysctl(8) answers EPERM). */
export const READ_ONLY_SYSCTLS: readonly string[] = [BOOTTIME];

export function defaultObsdSysctls(): Record<string, number> {
  return {
    'net.inet.carp.allow': 1,
    'net.inet.carp.log': 2,
    // The kernel default is 0; with the group counter, a BACKUP takes over a master
    // that advertises a higher demotion regardless, but doctor reports it.
    'net.inet.carp.preempt': 0,
    [BOOTTIME]: 1_795_000_000,
  };
}

export function completeObsdState(setup: ObsdKernelSetup): ObsdKernelState {
  const interfaces = structuredClone(setup.interfaces);
  // The carp group exists as soon as a carp interface does (if_clone adds it).
  const demote: Record<string, number> = {};
  for (const iface of Object.values(interfaces)) for (const group of iface.groups ?? []) demote[group] = 0;
  return {
    interfaces,
    demote: { ...demote, ...setup.demote },
    sysctls: { ...defaultObsdSysctls(), ...setup.sysctls },
    dialect: { demoteRange: 'EINVAL', groupErrors: 'named', ...setup.dialect },
    faults: structuredClone(setup.faults ?? {}),
  };
}

/** One line of the call log (JSON lines), written by every invocation of a fake tool. */
export interface ObsdCall {
  tool: ObsdTool;
  argv: string[];
  time: number;
  pid: number;
  exitCode: number | null;
  fault?: ObsdFault['mode'];
}
