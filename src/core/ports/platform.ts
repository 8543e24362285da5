import type { Config, FailoverEntry } from '../../config/types.ts';
import type { Check } from './checks.ts';
import type { FilePort } from './files.ts';
import type { InstallLayout } from './install.ts';

/**
 * The operating system's side of failover, whatever runs the election: FreeBSD
 * CARP (src/platform/freebsd/), OpenBSD CARP, keepalived. The core asks only
 * "what is this entry's state and our MAC" and "is our demotion share in", so a
 * platform's own arithmetic (a sysctl bit, a group counter, a track file) stays
 * in its folder.
 */

export type CarpState = 'MASTER' | 'BACKUP' | 'INIT';

/** What the platform sees for one failover entry right now. */
export interface EntryView {
  /** 'absent' when the interface, vhid or instance does not exist; anything not MASTER is not MASTER. */
  state: CarpState | 'absent';
  /**
   * The link-layer address where this entry's traffic arrives (lower case): the
   * interface's `ether` on FreeBSD, the carpdev's on OpenBSD, the alias
   * interface's with `alias`. null when the platform shows none. `failover[].mac`
   * overrides it; the core applies that (src/core/our-mac.ts).
   */
  mac: string | null;
  /** Human words for status and doctor, e.g. "MASTER (advbase 1, advskew 0)". */
  detail?: string;
}

/** The platform's demotion as read, and whether carp-ovh's share (`health.demotion`) is in it. */
export interface DemotionReading {
  /** The value as the platform shows it: sysctl total, group demote count, track file number. */
  value: number;
  ours: boolean;
}

export interface DemotionChange extends DemotionReading {
  /** Whether this call wrote anything (it writes only when our share was not as asked). */
  changed: boolean;
}

export interface PlatformDoctorContext {
  config: Config;
  files: FilePort;
  /** Prefix the installed files live under (`/` on a router, a temp dir in tests): doctor --root. */
  root: string;
  /** Where `install` puts things on this system (src/install/layout.ts), and whether it is OPNsense. */
  install: { layout: InstallLayout | null; opnsense: boolean };
  /** The running CLI's entry, as `install` writes it into triggers and timers: "does it run this carp-ovh?" */
  cliPath: string;
}

/** `alias: {interface}`: the VIP as a /32 alias on that interface while MASTER. */
export interface AliasPort {
  add(iface: string, address: string): Promise<void>;
  remove(iface: string, address: string): Promise<void>;
  has(iface: string, address: string): Promise<boolean>;
}

export interface Platform {
  /** `platform.kind`: freebsd, openbsd, keepalived. */
  readonly kind: string;
  /** What this platform's events call the entry: `2@vmx1`, `carp0`, `VI_1` (src/config/entry-key.ts). */
  entryKey(entry: FailoverEntry): string;
  /** Read afresh on every call: the claim re-checks before every mutating call. */
  readEntry(entry: FailoverEntry): Promise<EntryView>;
  readDemotion(): Promise<DemotionReading>;
  /** Idempotent: adds our share when `on` and it is absent, removes exactly our share when `!on` and it is present. */
  setDemoted(on: boolean): Promise<DemotionChange>;
  /** Where the demotion lives, for messages: "net.inet.carp.demotion", "the carp group's demote counter"… */
  describeDemotion(): string;
  alias?: AliasPort;
  /**
   * Doctor's `platform` group (the tools, the interfaces, the kernel settings
   * failover depends on), then its `install` group (the trigger and the timer
   * `install` wrote, under `root`).
   */
  doctorChecks(ctx: PlatformDoctorContext): Promise<Check[]>;
}

/** What a platform module (src/platform/<kind>/index.ts) exports for the wiring. */
export interface PlatformModule {
  createPlatform(config: Config): Platform;
}

/** A CARP event as the hook passes it on: the entry key and the new state. */
export interface HookEvent {
  key: string;
  state: CarpState;
}

/**
 * What src/platform/<kind>/hook-args.ts exports. It is loaded on the hook's fast
 * path, which devd waits on: it must import nothing heavier than src/errors.ts.
 * Bad arguments throw a CarpOvhError with badInput (exit 2) whose message ends
 * with `usage`.
 */
export interface HookArgsModule {
  readonly HOOK_USAGE: string;
  parseHookArgs(argv: readonly string[]): HookEvent;
}
