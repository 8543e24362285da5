import type { DemotionReading, LogPort, Platform, StateStore } from './ports/index.ts';

/**
 * carp-ovh owns a share of the platform's demotion (`health.demotion`: one bit
 * of net.inet.carp.demotion on FreeBSD, a carpdemote step on OpenBSD, the track
 * file's number on keepalived). The share is in while any reason holds and out
 * when none does; the platform says whether it is in, so a crash between a write
 * and demotion.json leaves nothing stale, and nobody else's share is touched.
 */

export type ReasonName = string;

export interface Reason {
  since: string;
  detail: string;
  /**
   * 'check' when the health check set it from a failing probe (it then also clears
   * it, after health.rise passes). Reasons set by the claim (`claim`) or by
   * `maintenance enter` carry none: the check leaves those to their owners.
   */
  by?: 'check';
}

export interface DemotionFile {
  reasons: Record<ReasonName, Reason>;
}

export interface DemotionResult {
  total: number;
  ours: boolean;
  changed: 'demoted' | 'promoted' | null;
  reasons: Record<ReasonName, Reason>;
  /** When the platform was read (epoch ms): earlier than the call when `check --every` reused its last reading. */
  readAt: number;
}

export const DEMOTION_FILE = 'demotion.json';

/**
 * What `check --every` remembers of the platform's demotion between runs: the
 * reading after the share was last brought in line, the reasons' names it was
 * brought in line with, and when (epoch ms).
 */
export interface DemotionRecall {
  seen: { names: string; reading: DemotionReading; at: number } | null;
}

/**
 * Reuse the recalled reading instead of reading the platform, while the reasons'
 * names are the same and `stale` does not say it is too old. Every carp-ovh
 * process brings the share in line with demotion.json under the demotion lock, so
 * while the names stay the same the share stays as read; only a hand outside
 * carp-ovh changes it, and the next read once it is stale sees that.
 */
export interface DemotionReuse {
  recall: DemotionRecall;
  stale(readAt: number): boolean;
}

export class Demotion {
  private readonly platform: Platform;
  private readonly state: StateStore;
  private readonly share: number;
  private readonly log: LogPort;

  constructor(platform: Platform, state: StateStore, share: number, log: LogPort) {
    this.platform = platform;
    this.state = state;
    this.share = share;
    this.log = log;
  }

  async reasons(): Promise<Record<ReasonName, Reason>> {
    const { value } = await this.state.readJson<DemotionFile>(DEMOTION_FILE);
    return value?.reasons !== undefined && typeof value.reasons === 'object' && value.reasons !== null ? value.reasons : {};
  }

  /**
   * Applies a change to the reasons and brings the bit in line, under one lock so
   * two callers at once (a check and a claim) make at most one write per change.
   */
  async update(change: (reasons: Record<ReasonName, Reason>) => void, reuse?: DemotionReuse): Promise<DemotionResult> {
    const lock = await this.state.waitLock('demotion', 'demotion', { deadline: Date.now() + 10_000, pollMs: 10 });
    if (lock === null) throw new Error('the demotion lock stayed busy for 10 s');
    try {
      const reasons = await this.reasons();
      const before = JSON.stringify(reasons);
      change(reasons);
      // A check every few seconds would otherwise rewrite an unchanged file each time.
      if (JSON.stringify(reasons) !== before) await this.state.writeJson(DEMOTION_FILE, { reasons } satisfies DemotionFile);
      return await this.apply(reasons, reuse);
    } finally {
      await lock.release();
    }
  }

  setReason(name: ReasonName, detail: string): Promise<DemotionResult> {
    return this.update((reasons) => {
      const existing = reasons[name];
      reasons[name] = { since: existing?.since ?? new Date().toISOString(), detail };
    });
  }

  clearReason(name: ReasonName): Promise<DemotionResult> {
    return this.update((reasons) => {
      delete reasons[name];
    });
  }

  private async apply(reasons: Record<ReasonName, Reason>, reuse?: DemotionReuse): Promise<DemotionResult> {
    const names = Object.keys(reasons).sort();
    const want = names.length > 0;
    const key = names.join(',');
    const seen = reuse?.recall.seen ?? null;
    if (reuse !== undefined && seen !== null && seen.names === key && seen.reading.ours === want && !reuse.stale(seen.at)) {
      return { total: seen.reading.value, ours: seen.reading.ours, changed: null, reasons, readAt: seen.at };
    }
    // Forgotten first: a read or write that fails leaves nothing to reuse.
    if (reuse !== undefined) reuse.recall.seen = null;
    const after = await this.platform.setDemoted(want);
    const readAt = Date.now();
    if (reuse !== undefined) reuse.recall.seen = { names: key, reading: { value: after.value, ours: after.ours }, at: readAt };
    if (!after.changed) return { total: after.value, ours: after.ours, changed: null, reasons, readAt };
    if (want) {
      this.log.warn({ demotion: after.value, reasons: names }, `carp demoted by ${this.share} due to service disruption (services: ${names.join(',')})`);
      return { total: after.value, ours: true, changed: 'demoted', reasons, readAt };
    }
    this.log.info({ demotion: after.value }, `carp promoted by ${this.share} due to service recovery`);
    return { total: after.value, ours: false, changed: 'promoted', reasons, readAt };
  }
}
