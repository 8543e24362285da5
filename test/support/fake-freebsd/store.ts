import { appendFileSync, closeSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { writeShellReads } from '../fake-shell-reads.ts';
import { SHELL_READS } from './read-cache.ts';
import type { FakeCall, FakeKernelState } from './types.ts';

/**
 * The fake kernel's files. Every fake tool and the test-side handle go through
 * withStateLock, so concurrent `sysctl …=+1` calls add up exactly like the real
 * atomic_add_int does.
 */

export const STATE_FILE = 'fake-kernel.json';
export const CALL_LOG_FILE = 'calls.jsonl';
export const KERNEL_LOG_FILE = 'kernel.log';

export function callLogPathFor(statePath: string): string {
  return join(dirname(statePath), CALL_LOG_FILE);
}

export function kernelLogPathFor(statePath: string): string {
  return join(dirname(statePath), KERNEL_LOG_FILE);
}

/** Generous: a holder keeps the lock for one state update, but a loaded machine may deschedule it. */
const LOCK_WAIT_LIMIT_MS = 60_000;
/**
 * A lock without a pid older than this is from a holder that died before writing
 * it. A lock with a pid is judged by that pid alone: a live holder descheduled
 * for seconds on a loaded machine must not lose its lock mid-update.
 */
const STALE_LOCK_MS = 5_000;

const sleepCell = new Int32Array(new SharedArrayBuffer(4));

/** Blocks the thread: the fake tools are short synchronous scripts and the handle's API is synchronous. */
export function sleepSync(ms: number): void {
  Atomics.wait(sleepCell, 0, 0, ms);
}

function holderIsGone(lockPath: string): boolean {
  let text: string;
  let ageMs: number;
  try {
    text = readFileSync(lockPath, 'utf8');
    ageMs = Date.now() - statSync(lockPath).mtimeMs;
  } catch {
    return false; // released meanwhile: just retry
  }
  const pid = Number.parseInt(text, 10);
  if (!Number.isInteger(pid) || pid <= 0) return ageMs > STALE_LOCK_MS; // no pid yet: only age tells a dead writer
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function acquire(lockPath: string): void {
  const started = Date.now();
  for (;;) {
    try {
      const fd = openSync(lockPath, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (holderIsGone(lockPath)) {
      try {
        unlinkSync(lockPath);
      } catch {
        // another waiter removed it first
      }
      continue;
    }
    if (Date.now() - started > LOCK_WAIT_LIMIT_MS) {
      throw new Error(`fake-freebsd: could not lock ${lockPath} within ${LOCK_WAIT_LIMIT_MS} ms`);
    }
    sleepSync(1 + Math.floor(Math.random() * 4));
  }
}

export function withStateLock<T>(statePath: string, fn: () => T): T {
  const lockPath = `${statePath}.lock`;
  acquire(lockPath);
  try {
    return fn();
  } finally {
    try {
      unlinkSync(lockPath);
    } catch {
      // already broken as stale by a waiter: nothing left to release
    }
  }
}

export function readState(statePath: string): FakeKernelState {
  return JSON.parse(readFileSync(statePath, 'utf8')) as FakeKernelState;
}

/** Atomic replace, so a reader never sees a half-written file. */
export function replaceJsonFile(path: string, value: unknown): void {
  const temp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(temp, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  renameSync(temp, path);
}

/** The state, then the shell's read answers that follow from it. */
export function writeState(statePath: string, state: FakeKernelState): void {
  replaceJsonFile(statePath, state);
  writeShellReads(statePath, state, SHELL_READS);
}

export function appendCall(statePath: string, call: FakeCall): void {
  appendFileSync(callLogPathFor(statePath), `${JSON.stringify(call)}\n`);
}

export function appendKernelLog(statePath: string, lines: readonly string[]): void {
  if (lines.length === 0) return;
  appendFileSync(kernelLogPathFor(statePath), lines.map((line) => `${line}\n`).join(''));
}

export function readCalls(statePath: string): FakeCall[] {
  let text: string;
  try {
    text = readFileSync(callLogPathFor(statePath), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as FakeCall);
}

export function readKernelLog(statePath: string): string[] {
  try {
    return readFileSync(kernelLogPathFor(statePath), 'utf8')
      .split('\n')
      .filter((line) => line.length > 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}
