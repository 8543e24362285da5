import type { Config, FailoverEntry } from '../config/types.ts';
import { raceAbort } from '../abort.ts';
import { describeError } from '../errors.ts';
import type { StateDir } from '../state.ts';
import { readDemotion, readLastCheck, readLastClaim, type DemotionView, type LastCheck, type LastClaim } from './doctor/history.ts';
import type { Carp, CarpInterface, Placement } from './ports.ts';

/**
 * `status`: what this router is and holds, read-only and quick. The OVH part is
 * bounded by a short timeout: an unreachable API shows as unknown, never as a hang.
 */

export interface StatusDeps {
  config: Config;
  carp: Carp;
  state: StateDir;
  /** Where the addresses of these entries are routed now (reads credentials, then OVH). */
  locate: (entries: FailoverEntry[], signal: AbortSignal) => Promise<Placement[]>;
  timeoutMs: number;
  now: () => number;
}

export interface AddressStatus {
  address: string;
  /** The vMAC OVH routes it to; null when on none or unknown (then `error` says why). */
  holder: string | null;
  /** Whether that is this router; null when unknown. */
  here: boolean | null;
  error?: string;
}

export interface VhidStatus {
  vhid: number;
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
  const names = [...new Set(config.failover.map((entry) => entry.interface))];
  const interfaces = new Map<string, { iface: CarpInterface | null; error?: string }>();

  const ovhStarted = deps.now();
  const signal = AbortSignal.timeout(deps.timeoutMs);
  const [, placement, demotion, lastClaim, lastCheck] = await Promise.all([
    Promise.all(
      names.map(async (name) => {
        try {
          interfaces.set(name, { iface: await deps.carp.readInterface(name) });
        } catch (error) {
          interfaces.set(name, { iface: null, error: describeError(error) });
        }
      }),
    ),
    boundedLocate(deps, signal),
    readDemotion(config, deps.carp, deps.state).catch(
      (error: unknown): StatusReport['demotion'] => ({ total: null, bit: config.health.demotion, ours: null, others: null, reasons: {}, error: describeError(error) }),
    ),
    readLastClaim(deps.state),
    readLastCheck(deps.state),
  ]);
  const ovhMs = deps.now() - ovhStarted;

  const vhids = config.failover.map((entry): VhidStatus => {
    const read = interfaces.get(entry.interface);
    const iface = read?.iface ?? null;
    const carp = iface?.vhids.find((v) => v.vhid === entry.vhid);
    const state: VhidStatus['state'] = read?.error !== undefined ? 'unknown' : iface === null ? 'absent' : (carp?.state ?? 'absent');
    const mac = entry.mac ?? iface?.ether ?? null;
    const addresses = entry.addresses.map((address): AddressStatus => {
      if (!placement.ok) return { address, holder: null, here: null, error: placement.error };
      const holder = placement.value.find((p) => p.address === address)?.holder ?? null;
      return { address, holder, here: holder === null ? false : mac === null ? null : holder === mac };
    });
    const out: VhidStatus = { vhid: entry.vhid, interface: entry.interface, state, mac, addresses };
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
async function boundedLocate(deps: StatusDeps, signal: AbortSignal): Promise<{ ok: true; value: Placement[] } | { ok: false; error: string }> {
  try {
    return { ok: true, value: await raceAbort(deps.locate(deps.config.failover, signal), signal, () => signal.reason) };
  } catch (error) {
    return { ok: false, error: whyUnknown(error, signal) };
  }
}
