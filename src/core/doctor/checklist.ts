import type { Check, CheckGroup, CheckStatus } from './types.ts';

/** Builders that keep every check the same shape: fix only where there is something to do. */
export function pass(group: CheckGroup, id: string, title: string, detail: string): Check {
  return { id, group, status: 'pass', title, detail };
}

export function warn(group: CheckGroup, id: string, title: string, detail: string, fix: string): Check {
  return { id, group, status: 'warn', title, detail, fix };
}

export function fail(group: CheckGroup, id: string, title: string, detail: string, fix: string): Check {
  return { id, group, status: 'fail', title, detail, fix };
}

/** A check that could not run because of another one; `why` names that one. */
export function skip(group: CheckGroup, id: string, title: string, why: string): Check {
  return { id, group, status: 'skip', title, detail: `not run: ${why}` };
}

export function tally(checks: readonly Check[]): Record<CheckStatus, number> {
  const out: Record<CheckStatus, number> = { pass: 0, warn: 0, fail: 0, skip: 0 };
  for (const check of checks) out[check.status] += 1;
  return out;
}

export function ago(fromMs: number, nowMs: number): string {
  const seconds = Math.max(0, Math.round((nowMs - fromMs) / 1000));
  if (seconds < 90) return `${seconds}s ago`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 90) return `${minutes}m ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours}h ago`;
  return `${Math.round(hours / 24)}d ago`;
}
