import type { Reason, ReasonName } from '../demotion.ts';
import type { ProbeVerdict } from './types.ts';

/**
 * health.fall / health.rise, per probe: a probe's reason is raised after `fall`
 * failed checks in a row and dropped after `rise` passed ones. The streaks live in
 * the state dir (health.json), since every cron check is a new process.
 * A probe that did not run, or whose answer was reused from an earlier run of the
 * loop, leaves its streak (and its reason) as it was.
 */

export const HEALTH_FILE = 'health.json';

export interface Streak {
  ok: boolean;
  fails: number;
  passes: number;
  /** When the probe last changed between passing and failing. */
  since: string;
}

export interface HealthFile {
  probes: Record<string, Streak>;
}

export interface Transition {
  name: string;
  ok: boolean;
  detail: string;
  /** false for a probe seen for the first time. */
  changed: boolean;
}

export function advance(
  previous: Record<string, Streak>,
  results: readonly ProbeVerdict[],
  now: string,
): { streaks: Record<string, Streak>; transitions: Transition[] } {
  const streaks: Record<string, Streak> = {};
  const transitions: Transition[] = [];
  for (const result of results) {
    const before = previous[result.name];
    if (result.skipped === true || result.reused === true) {
      if (before !== undefined) streaks[result.name] = before;
      continue;
    }
    if (before === undefined || before.ok !== result.ok) {
      transitions.push({ name: result.name, ok: result.ok, detail: result.detail, changed: before !== undefined });
    }
    streaks[result.name] = {
      ok: result.ok,
      fails: result.ok ? 0 : (before?.fails ?? 0) + 1,
      passes: result.ok ? (before?.passes ?? 0) + 1 : 0,
      since: before !== undefined && before.ok === result.ok ? before.since : now,
    };
  }
  return { streaks, transitions };
}

/**
 * Brings the check's own reasons (`by: 'check'`) in line with the streaks. Reasons
 * of other owners (the claim's, maintenance) are never touched here, and reasons
 * of probes that no longer exist (a removed script) go.
 */
export function settleReasons(
  reasons: Record<ReasonName, Reason>,
  results: readonly ProbeVerdict[],
  streaks: Record<string, Streak>,
  limits: { fall: number; rise: number },
  now: string,
): void {
  const names = new Set(results.map((r) => r.name));
  for (const [name, reason] of Object.entries(reasons)) {
    if (reason.by === 'check' && !names.has(name)) delete reasons[name];
  }
  for (const result of results) {
    if (result.skipped === true || result.reused === true) continue;
    const existing = reasons[result.name];
    if (existing !== undefined && existing.by !== 'check') continue;
    const streak = streaks[result.name];
    if (streak === undefined) continue;
    if (existing !== undefined) {
      if (result.ok && streak.passes >= limits.rise) delete reasons[result.name];
      else if (!result.ok) existing.detail = result.detail;
    } else if (!result.ok && !result.reasonHeldElsewhere && streak.fails >= limits.fall) {
      reasons[result.name] = { since: now, detail: result.detail, by: 'check' };
    }
  }
}
