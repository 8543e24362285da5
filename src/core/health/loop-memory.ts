import type { OvhView } from './probe-run.ts';
import type { ProbeVerdict } from './types.ts';

/**
 * What `check --every` keeps between its runs so the probes that call OVH run at
 * their own cadence (health.ovh_interval, health.claim_interval) instead of at
 * every run. A single `check` has none: it reads everything, as cron expects.
 */
export class LoopMemory {
  /** The last placement OVH showed, and when it was read. */
  ovh: { view: OvhView; at: number } | null = null;
  /** The last ovh-api verdict that came from a real read. */
  ovhVerdict: { verdict: ProbeVerdict; at: number } | null = null;
  /** When the claim probe last compared CARP with a fresh read, and the MASTER set it saw then. */
  claim: { at: number; masters: string } | null = null;

  /** The ovh-api probe reads OVH again once its interval has passed, and at every run while it fails. */
  ovhDue(now: number, intervalMs: number): boolean {
    const last = this.ovhVerdict;
    return last === null || !last.verdict.ok || now - last.at >= intervalMs;
  }

  /** The claim probe wants a fresh placement once its interval has passed, or when the MASTER set changed. */
  claimDue(now: number, intervalMs: number, masters: string): boolean {
    const last = this.claim;
    return last === null || last.masters !== masters || now - last.at >= intervalMs || this.ovh === null;
  }

  /** After a repair the placement is known to have changed: the next run reads it again. */
  forgetPlacement(): void {
    this.ovh = null;
    this.claim = null;
  }
}
