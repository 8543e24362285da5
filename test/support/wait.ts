/**
 * Tests wait for events, never for time. Two helpers every test uses:
 *
 * - `waitUntil`: poll a condition until it holds, with a generous bound (a
 *   loaded two-core machine runs everything several times slower than an idle
 *   one) and a failure message that says what was awaited and what was seen.
 * - `awaitDetachedWorkers`: a hook (or reconcile) hands its claim to a detached
 *   worker and returns at once, so the test's child has exited while the work
 *   goes on. Before reading a router's log or closing the simulators under it,
 *   a test awaits every worker started for that router's config.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';

/** Long enough for a loaded machine; a test that hits it is stuck, not slow. */
export const DEFAULT_WAIT_MS = 30_000;
const POLL_MS = 20;

export interface WaitOptions {
  /** Give up after this long (default 30 s). */
  timeoutMs?: number;
  /** Describes the state seen when the wait gives up, for the failure message. */
  seen?: () => unknown;
}

/**
 * Resolves once `condition` holds; rejects with "timed out after N ms waiting
 * for WHAT (seen: …)" otherwise. The condition must be one that stays true once
 * reached (a count, a log line, a final state), or the poll may miss it.
 */
export async function waitUntil(what: string, condition: () => boolean | Promise<boolean>, options: WaitOptions = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_MS;
  const started = performance.now();
  for (;;) {
    if (await condition()) return;
    const waited = performance.now() - started;
    if (waited > timeoutMs) {
      let seen = '';
      if (options.seen !== undefined) {
        try {
          seen = ` (seen: ${JSON.stringify(options.seen())})`;
        } catch (error) {
          seen = ` (seen: unavailable, ${String(error)})`;
        }
      }
      throw new Error(`timed out after ${Math.round(waited)} ms waiting for ${what}${seen}`);
    }
    await delay(POLL_MS);
  }
}

/** Whether a process of that pid exists (one of another user's counts). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface WorkerProcess {
  pid: number;
  argv: string[];
}

/**
 * The live claim workers started with `--config configPath` (each test router
 * has a config file of its own, so this names one router's workers). Read from
 * /proc: a worker's argv is in place before the hook that spawned it returns
 * (spawn returns after exec), so once the hook has exited, every worker it
 * started is either listed here or gone. A zombie has an empty cmdline and is
 * not listed.
 */
export function detachedWorkers(configPath: string): WorkerProcess[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch (error) {
    throw new Error(`cannot list /proc to find detached workers: ${String(error)}`);
  }
  const found: WorkerProcess[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch {
      continue; // exited while we looked
    }
    const config = argv.indexOf('--config');
    if (argv.includes('claim-worker') && config !== -1 && argv[config + 1] === configPath)
      found.push({ pid: Number(entry), argv: argv.filter((a) => a !== '') });
  }
  return found;
}

/**
 * Waits until no claim worker of `configPath` is left (see detachedWorkers).
 * Call it after the hooks that started them have returned. A worker still
 * running after the bound is killed (by pid) so it cannot outlive the test, and
 * the wait fails naming it.
 */
export async function awaitDetachedWorkers(configPath: string, options: { timeoutMs?: number } = {}): Promise<void> {
  try {
    await waitUntil(`the detached claim workers of ${configPath} to exit`, () => detachedWorkers(configPath).length === 0, {
      timeoutMs: options.timeoutMs ?? 60_000,
      seen: () => detachedWorkers(configPath).map((w) => w.pid),
    });
  } catch (error) {
    for (const worker of detachedWorkers(configPath)) {
      try {
        process.kill(worker.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    throw error;
  }
}
