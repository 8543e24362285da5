import type { StateDir } from '../state.ts';
import type { Carp, LogPort } from './ports.ts';

/**
 * carp-ovh owns one bit of net.inet.carp.demotion (2^20 by default, as OPNsense's
 * service hooks do). The sysctl is the state: the bit is raised when any reason
 * holds and lowered when none does, and nothing else in the counter is touched
 * (ifdown 240, pfsync, OPNsense maintenance belong to others).
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
}

export const DEMOTION_FILE = 'demotion.json';

export class Demotion {
  private readonly carp: Carp;
  private readonly state: StateDir;
  private readonly bit: number;
  private readonly log: LogPort;

  constructor(carp: Carp, state: StateDir, bit: number, log: LogPort) {
    this.carp = carp;
    this.state = state;
    this.bit = bit;
    this.log = log;
  }

  async reasons(): Promise<Record<ReasonName, Reason>> {
    const { value } = await this.state.readJson<DemotionFile>(DEMOTION_FILE);
    return value?.reasons !== undefined && typeof value.reasons === 'object' && value.reasons !== null ? value.reasons : {};
  }

  /** Whether this router's bit is set in `total` (any other bits are someone else's). */
  owns(total: number): boolean {
    return (Math.trunc(total / this.bit) & 1) === 1;
  }

  /**
   * Applies a change to the reasons and brings the bit in line, under one lock so
   * two callers at once (a check and a claim) make at most one write per change.
   */
  async update(change: (reasons: Record<ReasonName, Reason>) => void): Promise<DemotionResult> {
    const lock = await this.state.waitLock('demotion', 'demotion', { deadline: Date.now() + 10_000, pollMs: 10 });
    if (lock === null) throw new Error('the demotion lock stayed busy for 10 s');
    try {
      const reasons = await this.reasons();
      const before = JSON.stringify(reasons);
      change(reasons);
      // A check every few seconds would otherwise rewrite an unchanged file each time.
      if (JSON.stringify(reasons) !== before) await this.state.writeJson(DEMOTION_FILE, { reasons } satisfies DemotionFile);
      return await this.apply(reasons);
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

  private async apply(reasons: Record<ReasonName, Reason>): Promise<DemotionResult> {
    const names = Object.keys(reasons).sort();
    const want = names.length > 0;
    const total = await this.carp.readDemotion();
    const ours = this.owns(total);
    if (want && !ours) {
      const after = await this.carp.addDemotion(this.bit);
      this.log.warn({ demotion: after, reasons: names }, `carp demoted by ${this.bit} due to service disruption (services: ${names.join(',')})`);
      return { total: after, ours: true, changed: 'demoted', reasons };
    }
    if (!want && ours) {
      const after = await this.carp.addDemotion(-this.bit);
      this.log.info({ demotion: after }, `carp promoted by ${this.bit} due to service recovery`);
      return { total: after, ours: false, changed: 'promoted', reasons };
    }
    return { total, ours, changed: null, reasons };
  }
}
