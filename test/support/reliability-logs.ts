/**
 * Reading what detached claim workers did from their JSON log lines (log.file,
 * syslog off): which worker held the claim lock when, and what it sent to OVH.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Router } from './world.ts';

export interface LogLine {
  pid: number;
  time: number;
  msg: string;
  [key: string]: unknown;
}

export function workerLines(router: Router): LogLine[] {
  return router.logLines().map((line) => ({ ...line, pid: Number(line.pid), time: Date.parse(String(line.time)), msg: String(line.msg) }));
}

export interface ClaimWindow {
  pid: number;
  /** First line logged under the lock ("Detected MAC …", or the stale-task wait). */
  start: number;
  /** The summary line, logged just before the lock is released. */
  end: number;
  mutations: string[];
}

const UNDER_LOCK = /^(Detected MAC on |waiting for task \d+ )/;
const SUMMARY = /^(claim finished successfully|claim failed after|claim ended: )/;
const MUTATION = /^(DELETE|POST) accepted \(task \d+\)$/;

/**
 * One window per worker that got the claim lock and went on to claim. Workers
 * that stopped before (BACKUP event, superseded while waiting) have no window.
 */
export function claimWindows(lines: LogLine[]): ClaimWindow[] {
  const byPid = new Map<number, LogLine[]>();
  for (const line of lines) byPid.set(line.pid, [...(byPid.get(line.pid) ?? []), line]);
  const windows: ClaimWindow[] = [];
  for (const [pid, own] of byPid) {
    const start = own.find((l) => UNDER_LOCK.test(l.msg));
    const end = own.find((l) => SUMMARY.test(l.msg));
    const mutations = own.filter((l) => MUTATION.test(l.msg)).map((l) => l.msg);
    if (start === undefined) {
      if (mutations.length > 0) throw new Error(`worker ${pid} mutated without logging that it held the lock`);
      continue;
    }
    if (end === undefined) throw new Error(`worker ${pid} never logged the end of its claim`);
    windows.push({ pid, start: start.time, end: end.time, mutations });
  }
  return windows.sort((a, b) => a.start - b.start);
}

/** Whether a worker of this router has taken the claim lock and started claiming (a line logged under the lock). */
export function claimStarted(router: Router): boolean {
  return workerLines(router).some((l) => UNDER_LOCK.test(l.msg));
}

/** Pairs of windows that overlap (their claims ran at the same time). */
export function overlaps(windows: ClaimWindow[]): Array<[ClaimWindow, ClaimWindow]> {
  const found: Array<[ClaimWindow, ClaimWindow]> = [];
  for (let i = 1; i < windows.length; i++) {
    const previous = windows[i - 1];
    const current = windows[i];
    if (previous !== undefined && current !== undefined && current.start < previous.end) found.push([previous, current]);
  }
  return found;
}

export function lockFile(router: Router): string {
  return join(router.stateDir, 'claim.lock');
}

/** The pid in state_dir/claim.lock, or null when nobody holds it. */
export function lockPid(router: Router): number | null {
  const path = lockFile(router);
  if (!existsSync(path)) return null;
  try {
    const pid = (JSON.parse(readFileSync(path, 'utf8')) as { pid?: unknown }).pid;
    return typeof pid === 'number' ? pid : null;
  } catch {
    return null; // being written this instant
  }
}
