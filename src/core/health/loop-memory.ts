import type { DemotionRecall } from '../demotion.ts';
import type { Observed } from './observe.ts';
import type { OvhView } from './probe-run.ts';
import type { ProbeVerdict } from './types.ts';

/**
 * What `check --every` keeps between its runs so the probes that call OVH run at
 * their own cadence (health.ovh_interval, health.claim_interval) and the platform
 * is read when something says it changed (health.platform_interval), instead of at
 * every run. A single `check` has none: it reads everything, as cron expects.
 */
export class LoopMemory {
  /** The last placement OVH showed, and when it was read. */
  ovh: { view: OvhView; at: number } | null = null;
  /** The last ovh-api verdict that came from a real read. */
  ovhVerdict: { verdict: ProbeVerdict; at: number } | null = null;
  /** When the claim probe last compared CARP with a fresh read, and the MASTER set it saw then. */
  claim: { at: number; masters: string } | null = null;
  /** The last read of each entry's CARP state, when it was made, and the CARP events recorded by then. */
  carp: { observed: Observed[]; at: number; events: string } | null = null;
  /** The demotion share as last read or written, for which reasons, and when. */
  readonly demotion: DemotionRecall = { seen: null };
  /**
   * Half the loop's period. Runs start a period apart, but each reads the clock a
   * few ms later or earlier than the last, so "60 s since" can come out 59.998 s
   * at the run that should read, which then waits a whole period more (the bench
   * saw OVH down demote at 70 s where 60 s was due). An interval counts as passed
   * at the run nearest to its end.
   */
  private readonly slackMs: number;

  /** `periodMs`: the loop's `--every`. */
  constructor(periodMs = 0) {
    this.slackMs = periodMs / 2;
  }

  /** Whether `intervalMs` has passed between `since` and `now`, at this loop's granularity. */
  passed(now: number, since: number, intervalMs: number): boolean {
    return now - since >= intervalMs - this.slackMs;
  }

  /** The ovh-api probe reads OVH again once its interval has passed, and at every run while it fails. */
  ovhDue(now: number, intervalMs: number): boolean {
    const last = this.ovhVerdict;
    return last === null || !last.verdict.ok || this.passed(now, last.at, intervalMs);
  }

  /** The claim probe wants a fresh placement (and, for a MASTER, a fresh CARP read) once its interval has passed. */
  claimTimeDue(now: number, intervalMs: number): boolean {
    const last = this.claim;
    return last === null || this.passed(now, last.at, intervalMs) || this.ovh === null;
  }

  /** …and also when the set of entries that are MASTER here changed. */
  claimDue(now: number, intervalMs: number, masters: string): boolean {
    return this.claimTimeDue(now, intervalMs) || this.claim?.masters !== masters;
  }

  /**
   * The last CARP read, while it is younger than `intervalMs` and no CARP event
   * has been recorded since (`events`: the newest event of each entry now).
   * Every MASTER or BACKUP the platform reports reaches the hook, whose worker
   * records it, so a read is reused only while the platform has said nothing new.
   */
  carpReusable(now: number, intervalMs: number, events: string): { observed: Observed[]; at: number } | null {
    const last = this.carp;
    if (last === null || last.events !== events || this.passed(now, last.at, intervalMs)) return null;
    return last;
  }

  /** After a repair the placement is known to have changed: the next run reads it, and CARP, again. */
  forgetPlacement(): void {
    this.ovh = null;
    this.claim = null;
    this.carp = null;
  }
}
