import { raceAbort } from '../../abort.ts';
import { formatDuration } from '../../duration.ts';
import { CarpOvhError, isCarpOvhError } from '../../errors.ts';
import type { OvhCredentials, Placement } from '../ports/index.ts';
import { recordedEvents } from '../events.ts';
import { isHere } from '../our-mac.ts';
import { observeEntries, type Observed } from './observe.ts';
import type { HealthDeps, OvhProbeSession } from './types.ts';

/**
 * One run of the built-in probes. `vault`, `ovh-api` and `claim` need the same
 * things (credentials, then the OVH clock and the VIPs' placement): each is
 * fetched once per run and shared, so a check costs one Vault login and one
 * read of the vMACs, and a probe whose input failed can say "not run".
 */

export type Step<T> = { ok: true; value: T } | { ok: false; error: CarpOvhError; notRun?: undefined } | { ok: false; notRun: string; error?: undefined };

export interface Credentials {
  credentials: OvhCredentials;
  description: string;
}

export interface OvhView {
  offsetSec: number;
  /** Address → where OVH routes it and whether that is here, for every configured address. */
  placements: Map<string, Placement>;
  /** What was read to find them ("the vMACs of ns3…"). */
  reads: string[];
  /** When OVH was read (epoch ms): before this run's start when the loop reused an earlier read. */
  readAt: number;
}

export class ProbeRun {
  readonly deps: HealthDeps;
  readonly started = Date.now();
  /** Every built-in probe's deadline: they start together, so the longest one bounds the run. */
  readonly signal: AbortSignal;
  private readonly timeoutMs: number;
  private readonly deadline: NodeJS.Timeout;
  private credentialsStep: Promise<Step<Credentials>> | null = null;
  private ovhStep: Promise<Step<OvhView>> | null = null;
  private observedStep: Promise<Step<Observed[]>> | null = null;
  private observedFresh = false;
  /** When the loop made the CARP read this run reuses; null when this run read the platform itself. */
  private observedReusedAt: number | null = null;
  private session: OvhProbeSession | null = null;

  constructor(deps: HealthDeps) {
    this.deps = deps;
    this.timeoutMs = deps.config.health.probeTimeoutMs;
    // Not AbortSignal.timeout: its timer cannot be cancelled, so each run's signal
    // and every listener the run's requests left on it lived until the timeout
    // fired (and made a DOMException) long after the run. In `check --every` that
    // kept runs' garbage alive and made each collection slower.
    const controller = new AbortController();
    this.deadline = setTimeout(() => controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')), this.timeoutMs);
    this.deadline.unref();
    this.signal = controller.signal;
  }

  elapsed(): number {
    return Date.now() - this.started;
  }

  credentials(): Promise<Step<Credentials>> {
    this.credentialsStep ??= (async (): Promise<Step<Credentials>> => {
      try {
        const source = await this.deps.secrets();
        const credentials = await this.bounded(source.readOvhCredentials({ signal: this.signal }), 'reading the OVH credentials');
        return { ok: true, value: { credentials, description: source.description } };
      } catch (error) {
        return { ok: false, error: this.asError(error, 'reading the OVH credentials') };
      }
    })();
    return this.credentialsStep;
  }

  /**
   * Each entry's state and our MAC, read once per run. In `check --every` a run
   * reuses the loop's last read while no CARP event was recorded since and it is
   * younger than health.platform_interval; `fresh` reads the platform regardless
   * (once per run: later callers share that read).
   */
  observed(options: { fresh?: boolean } = {}): Promise<Step<Observed[]>> {
    const fresh = options.fresh === true;
    if (this.observedStep === null) {
      this.observedStep = this.readObserved(fresh);
      this.observedFresh = fresh;
    } else if (fresh && !this.observedFresh) {
      this.observedFresh = true;
      // The read already under way may have been a fresh one; only a reused one is read again.
      this.observedStep = this.observedStep.then((step) => (this.observedReusedAt !== null ? this.readObserved(true) : step));
    }
    return this.observedStep;
  }

  /** When the loop read the CARP state this run reuses (epoch ms); null when this run read it itself, or not yet. */
  carpReusedAt(): number | null {
    return this.observedReusedAt;
  }

  private async readObserved(fresh: boolean): Promise<Step<Observed[]>> {
    const memory = this.deps.loop;
    const { platform, config, state } = this.deps;
    try {
      // Read before the platform: an event recorded meanwhile makes the next run read again.
      const events =
        memory === undefined
          ? ''
          : await recordedEvents(
              state,
              config.failover.map((entry) => platform.entryKey(entry)),
            );
      const reused = memory === undefined || fresh ? null : memory.carpReusable(this.started, config.health.platformIntervalMs, events);
      this.observedReusedAt = reused?.at ?? null;
      if (reused !== null) return { ok: true, value: reused.observed };
      const readAt = Date.now();
      const observed = await this.bounded(observeEntries(platform, config.failover), 'reading the CARP state');
      if (memory !== undefined) memory.carp = { observed, at: readAt, events };
      return { ok: true, value: observed };
    } catch (error) {
      if (memory !== undefined) memory.carp = null;
      return { ok: false, error: this.asError(error, 'reading the CARP state') };
    }
  }

  /**
   * OVH's view for this run. In `check --every`, a caller that does not ask for a
   * `fresh` read gets the loop's last one (or the read another probe of this run
   * started), and no read is made while a claim runs: the claim has the budget.
   */
  ovh(options: { fresh?: boolean } = {}): Promise<Step<OvhView>> {
    const memory = this.deps.loop;
    if (memory !== undefined && memory.ovh !== null && this.ovhStep === null && options.fresh !== true) {
      return Promise.resolve({ ok: true, value: memory.ovh.view });
    }
    this.ovhStep ??= this.readOvh();
    return this.ovhStep;
  }

  private async readOvh(): Promise<Step<OvhView>> {
    const memory = this.deps.loop;
    if (memory !== undefined) {
      const claiming = await this.deps.state.lockHolder('claim');
      if (claiming !== null && claiming.pid !== process.pid) {
        if (memory.ovh !== null) return { ok: true, value: memory.ovh.view };
        return { ok: false, notRun: `a claim is running (pid ${claiming.pid})` };
      }
    }
    const step = await this.readOvhNow();
    if (memory !== undefined && step.ok) memory.ovh = { view: step.value, at: step.value.readAt };
    return step;
  }

  private readOvhNow(): Promise<Step<OvhView>> {
    return (async (): Promise<Step<OvhView>> => {
      const credentials = await this.credentials();
      if (!credentials.ok) return { ok: false, notRun: 'vault' };
      let what = 'measuring the clock offset (GET /auth/time)';
      try {
        this.session = await this.deps.ovh(credentials.value.credentials);
        const session = this.session;
        const offsetSec = await this.bounded(session.clockOffset(this.signal), what);
        what = 'reading where OVH routes the VIPs';
        // Without the platform's view, OVH's answer still counts; only `here` stays unknown.
        const observed = await this.observed();
        const macs = new Map(observed.ok ? observed.value.map((o) => [o.entry, o.mac] as const) : []);
        const targets = this.deps.config.failover.map((entry) => ({ entry, mac: macs.get(entry) ?? null }));
        const placements = new Map<string, Placement>();
        const macOf = new Map(targets.flatMap((t) => t.entry.addresses.map((address) => [address, t.mac] as const)));
        for (const placement of await this.bounded(session.locate(targets, this.signal), what)) {
          placements.set(placement.address, { ...placement, here: isHere(placement, macOf.get(placement.address) ?? null) });
        }
        return { ok: true, value: { offsetSec, placements, reads: session.reads(this.deps.config.failover), readAt: Date.now() } };
      } catch (error) {
        return { ok: false, error: this.asError(error, what) };
      }
    })();
  }

  /** Settles with `promise`, or rejects at the probes' deadline even if `promise` never does. */
  bounded<T>(promise: Promise<T>, what: string): Promise<T> {
    return raceAbort(promise, this.signal, () => this.timeoutError(what));
  }

  /** An adapter cut short by our deadline reports a cancellation; for the operator it is a timeout. */
  asError(error: unknown, what: string): CarpOvhError {
    if (this.signal.aborted && !(isCarpOvhError(error) && error.timedOut)) return this.timeoutError(what);
    if (isCarpOvhError(error)) return error;
    return new CarpOvhError(`${what}: ${error instanceof Error ? error.message : String(error)}`, { source: 'internal', cause: error });
  }

  close(): void {
    clearTimeout(this.deadline);
    this.session?.close();
  }

  private timeoutError(what: string): CarpOvhError {
    return new CarpOvhError(`${what}: no answer within ${formatDuration(this.timeoutMs)} (health.probe_timeout)`, { source: 'internal', timedOut: true });
  }
}
