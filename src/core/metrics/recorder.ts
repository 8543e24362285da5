import { describeError } from '../../errors.ts';
import type { StateDir } from '../../state.ts';
import type { LogPort } from '../ports/index.ts';
import { render } from './exposition.ts';
import { buildFamilies, type EntryLabels } from './families.ts';
import { codeLabel, coerceSnapshot, methodLabel, METRICS_FILE, type MetricsSnapshot } from './snapshot.ts';

/**
 * Records what checks and claims saw into metrics.json (under its own lock, so a
 * claim worker and the check loop never lose each other's counts) and rewrites
 * the textfile. Metrics are a by-product: a failure here is logged, never thrown
 * at the claim or the check that fed it.
 */

/** The platform as read right after a check or a claim. */
export interface PlatformSeen {
  masters: Record<string, boolean>;
  /** Entry key → the MAC OVH must route its VIPs to (lower case), null when unknown. */
  macs: Record<string, string | null>;
  demotion: number | null;
  reasons: string[];
}

export interface CheckSeen {
  at: string;
  probes: ReadonlyArray<{ name: string; ok: boolean; durationMs: number }>;
  /** Address → whether OVH routes it here (null: the provider cannot tell); null when OVH could not be read. */
  placements: ReadonlyMap<string, boolean | null> | null;
  /** When OVH gave those placements: the loop may reuse a read older than the check. */
  placementsAt?: string;
}

export interface ClaimSeen {
  at: string;
  result: string;
  durationMs: number;
  /** Addresses the claim saw on this router at OVH when it ended (already there, moved, attached). */
  here: Array<{ key: string; address: string }>;
}

export interface MetricsRecorderDeps {
  state: StateDir;
  log: LogPort;
  entries: readonly EntryLabels[];
  /** Where node_exporter's textfile collector reads it; null = metrics.json only (for metrics.listen). */
  textfile: string | null;
  writeTextfile: (path: string, text: string) => Promise<void>;
  observePlatform: () => Promise<PlatformSeen>;
  now?: () => number;
}

/**
 * Writers hold the lock for a read, two fsynced writes and a rename: a few ms,
 * more on a loaded disk. A count is dropped (and logged) only past this.
 */
const LOCK_PATIENCE_MS = 30_000;

export class MetricsRecorder {
  private readonly deps: MetricsRecorderDeps;
  private ovhAnswers = new Map<string, number>();
  private vaultTtl: number | null | undefined;

  constructor(deps: MetricsRecorderDeps) {
    this.deps = deps;
  }

  /** Counted in memory, added to the totals at the next check or claim record. */
  countOvhAnswer(method: string, status: number | null): void {
    const key = `${methodLabel(method)} ${codeLabel(status)}`;
    this.ovhAnswers.set(key, (this.ovhAnswers.get(key) ?? 0) + 1);
  }

  vaultLogin(ttlSeconds: number | null): void {
    if (ttlSeconds !== null && Number.isFinite(ttlSeconds) && ttlSeconds >= 0) this.vaultTtl = ttlSeconds;
  }

  checkFinished(seen: CheckSeen): Promise<void> {
    return this.update('check', (snapshot, platform) => {
      snapshot.check = { at: seen.at, up: true, probes: seen.probes.map((p) => ({ name: p.name, ok: p.ok, durationMs: p.durationMs })) };
      if (seen.placements === null || platform === null) return;
      const readAt = seen.placementsAt ?? seen.at;
      for (const entry of this.deps.entries) {
        const mac = platform.macs[entry.key] ?? null;
        for (const address of entry.addresses) {
          if (mac === null || !seen.placements.has(address)) continue;
          // A claim that ended after OVH gave this answer saw something newer: it stands.
          const previous = snapshot.vips[address];
          if (previous !== undefined && Date.parse(previous.at) > Date.parse(readAt)) continue;
          snapshot.vips[address] = { key: entry.key, here: seen.placements.get(address) === true, at: readAt };
        }
      }
    });
  }

  /** The check could not run at all (its lock stayed busy, the state dir is unwritable…). */
  checkFailed(): Promise<void> {
    const at = new Date(this.now()).toISOString();
    return this.update('check', (snapshot) => {
      snapshot.check = { at, up: false, probes: snapshot.check?.probes ?? [] };
    });
  }

  claimFinished(seen: ClaimSeen): Promise<void> {
    return this.update('claim', (snapshot) => {
      snapshot.counters.claims[seen.result] = (snapshot.counters.claims[seen.result] ?? 0) + 1;
      snapshot.claim = { at: seen.at, result: seen.result, durationMs: seen.durationMs };
      if (seen.result === 'ok') snapshot.lastClaimSuccessAt = new Date(this.now()).toISOString();
      // What the claim saw at OVH, as of its end: a check that read OVH before then must not undo it.
      const endedAt = new Date(Date.parse(seen.at) + seen.durationMs).toISOString();
      for (const vip of seen.here) snapshot.vips[vip.address] = { key: vip.key, here: true, at: endedAt };
    });
  }

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }

  private async update(what: string, change: (snapshot: MetricsSnapshot, platform: PlatformSeen | null) => void): Promise<void> {
    const { state, log } = this.deps;
    try {
      const platform = await this.deps.observePlatform().catch((error: unknown) => {
        log.warn({ err: { message: describeError(error) } }, `metrics: cannot read the platform: ${describeError(error)}`);
        return null;
      });
      await state.ensure();
      const lock = await state.waitLock('metrics', `metrics (${what})`, { deadline: this.now() + LOCK_PATIENCE_MS, pollMs: 10 });
      if (lock === null) {
        log.warn({}, `metrics: the metrics lock in ${state.path} stayed busy; this ${what} is not counted`);
        return;
      }
      try {
        const snapshot = coerceSnapshot((await state.readJson<unknown>(METRICS_FILE)).value);
        for (const [key, count] of this.ovhAnswers) snapshot.counters.ovhRequests[key] = (snapshot.counters.ovhRequests[key] ?? 0) + count;
        this.ovhAnswers = new Map();
        if (this.vaultTtl !== undefined) snapshot.vaultTokenTtlSeconds = this.vaultTtl;
        change(snapshot, platform);
        if (platform !== null)
          snapshot.platform = { at: new Date(this.now()).toISOString(), masters: platform.masters, demotion: platform.demotion, reasons: platform.reasons };
        await state.writeJson(METRICS_FILE, snapshot);
        if (this.deps.textfile !== null) await this.deps.writeTextfile(this.deps.textfile, render(buildFamilies(snapshot, this.deps.entries)));
      } finally {
        await lock.release();
      }
    } catch (error) {
      log.warn({ err: { message: describeError(error) } }, `metrics: cannot record this ${what}: ${describeError(error)}`);
    }
  }
}

/** The exposition text from what metrics.json holds now: what `check --every` serves on each scrape. */
export async function renderFromState(state: StateDir, entries: readonly EntryLabels[]): Promise<string> {
  const snapshot = coerceSnapshot((await state.readJson<unknown>(METRICS_FILE)).value);
  return render(buildFamilies(snapshot, entries));
}
