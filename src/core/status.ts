import type { Config } from '../config/types.ts';
import { raceAbort } from '../abort.ts';
import { describeError } from '../errors.ts';
import { readDemotion, readLastCheck, readLastClaim, type DemotionView, type LastCheck, type LastClaim } from './doctor/history.ts';
import { isHere, ourMac } from './our-mac.ts';
import type { EntryView, LocateTarget, Placement, Platform, StateStore } from './ports/index.ts';

/**
 * `status`: what this router is and holds, read-only and quick. The OVH part is
 * bounded by a short timeout: an unreachable API shows as unknown, never as a hang.
 */

export interface StatusDeps {
  config: Config;
  platform: Platform;
  state: StateStore;
  /** Where the addresses of these entries are routed now, and whether that is here (reads credentials, then OVH). */
  locate: (targets: LocateTarget[], signal: AbortSignal) => Promise<Placement[]>;
  timeoutMs: number;
  now: () => number;
}

export interface AddressStatus {
  address: string;
  /** The vMAC OVH routes it to; null when on none or unknown (then `error` says why). */
  holder: string | null;
  /** Whether that is this router; null when unknown. */
  here: boolean | null;
  /** The provider's words for where OVH routes it ("server ns….eu", "vMAC … of ns….eu"), when it has some. */
  where?: string;
  error?: string;
}

export interface VhidStatus {
  /** Present when the entry has one (FreeBSD always; OpenBSD when configured). */
  vhid?: number;
  /** The platform's name for an entry without a vhid (`carp0`, `VI_1`). */
  key?: string;
  interface: string;
  state: 'MASTER' | 'BACKUP' | 'INIT' | 'absent' | 'unknown';
  mac: string | null;
  addresses: AddressStatus[];
  error?: string;
}

export interface StatusReport {
  version: 1;
  at: string;
  config: string;
  vhids: VhidStatus[];
  ovh: { reachable: boolean; error: string | null; durationMs: number };
  demotion: { total: number | null; bit: number; ours: boolean | null; others: number | null; reasons: DemotionView['reasons']; error?: string };
  lastClaim: LastClaim | null;
  lastCheck: LastCheck | null;
}

interface ErrorFacts {
  status?: number;
  timedOut?: boolean;
  isCanceled?: boolean;
  source?: string;
}

/** Short words for the usual reasons OVH could not be asked; the message otherwise. */
function whyUnknown(error: unknown, signal: AbortSignal): string {
  const facts = (typeof error === 'object' && error !== null ? error : {}) as ErrorFacts;
  if (signal.aborted || facts.timedOut === true) return 'API unreachable (timed out)';
  if (facts.source === 'ovh' && (facts.status === 0 || facts.status === undefined)) return 'API unreachable';
  if (facts.source === 'vault' || facts.source === 'secrets') return `no OVH credentials: ${describeError(error)}`;
  return describeError(error);
}

export async function gatherStatus(deps: StatusDeps): Promise<StatusReport> {
  const { config } = deps;
  // The platform first (local and quick): the provider needs our MAC to say whether an address is here.
  const views = await Promise.all(
    config.failover.map(async (entry): Promise<{ view: EntryView | null; error?: string }> => {
      try {
        return { view: await deps.platform.readEntry(entry) };
      } catch (error) {
        return { view: null, error: describeError(error) };
      }
    }),
  );
  const targets = config.failover.map((entry, index) => ({ entry, mac: ourMac(entry, views[index]?.view ?? null) }));
  const ovhStarted = deps.now();
  const signal = AbortSignal.timeout(deps.timeoutMs);
  const [placement, demotion, lastClaim, lastCheck] = await Promise.all([
    boundedLocate(deps, targets, signal),
    readDemotion(config, deps.platform, deps.state).catch((error: unknown): StatusReport['demotion'] => ({
      total: null,
      bit: config.health.demotion,
      ours: null,
      others: null,
      reasons: {},
      error: describeError(error),
    })),
    readLastClaim(deps.state),
    readLastCheck(deps.state),
  ]);
  const ovhMs = deps.now() - ovhStarted;

  const vhids = config.failover.map((entry, index): VhidStatus => {
    const read = views[index];
    const state: VhidStatus['state'] = read?.view?.state ?? 'unknown';
    const mac = ourMac(entry, read?.view ?? null);
    const addresses = entry.addresses.map((address): AddressStatus => {
      if (!placement.ok) return { address, holder: null, here: null, error: placement.error };
      const found = placement.value.find((p) => p.address === address);
      const out: AddressStatus = { address, holder: found?.holder ?? null, here: isHere(found, mac) };
      if (found?.where !== undefined) out.where = found.where;
      return out;
    });
    const named = entry.vhid === undefined ? { key: deps.platform.entryKey(entry) } : { vhid: entry.vhid };
    const out: VhidStatus = { ...named, interface: entry.interface, state, mac, addresses };
    if (read?.error !== undefined) out.error = read.error;
    return out;
  });

  return {
    version: 1,
    at: new Date(deps.now()).toISOString(),
    config: config.source,
    vhids,
    ovh: { reachable: placement.ok, error: placement.ok ? null : placement.error, durationMs: ovhMs },
    demotion,
    lastClaim,
    lastCheck,
  };
}

/** The whole OVH part (credentials included) races the timeout, so a stuck read cannot hold status up. */
async function boundedLocate(
  deps: StatusDeps,
  targets: LocateTarget[],
  signal: AbortSignal,
): Promise<{ ok: true; value: Placement[] } | { ok: false; error: string }> {
  try {
    return { ok: true, value: await raceAbort(deps.locate(targets, signal), signal, () => signal.reason) };
  } catch (error) {
    return { ok: false, error: whyUnknown(error, signal) };
  }
}
