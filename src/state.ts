import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { chmod, mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { CarpOvhError } from './errors.ts';
import { isFromEarlierBoot, monotonicNow, parseStamp } from './monotonic.ts';
import { scrubText } from './redact.ts';
import { sleep } from './sleep.ts';
import type { Lock, LockHolder, ReadResult, StateStore } from './core/ports/state.ts';

/**
 * The state dir: last results, hysteresis counters, the claim lock.
 * Everything here must survive a kill -9 at any instant: writes are temp file +
 * rename, a torn file is set aside and replaced, a dead holder's lock is taken over.
 */

export type { Lock, LockHolder, ReadResult };

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.@-]*$/;
const TAKEOVER_STALE_MS = 10_000;
const TORN_LOCK_GRACE_MS = 2_000;

export class StateDir implements StateStore {
  readonly path: string;

  constructor(path: string) {
    this.path = path;
  }

  /** Creates the dir 0700 (and tightens an existing one we own): it holds the log and outcomes. */
  async ensure(): Promise<void> {
    try {
      await mkdir(this.path, { recursive: true, mode: 0o700 });
      const info = await stat(this.path);
      if ((info.mode & 0o077) !== 0 && info.uid === process.getuid?.()) await chmod(this.path, 0o700);
    } catch (error) {
      throw new CarpOvhError(
        `cannot create state dir ${this.path}: ${(error as NodeJS.ErrnoException).code ?? String(error)} (check state_dir in the config)`,
        {
          source: 'state',
          file: this.path,
          cause: error,
        },
      );
    }
  }

  file(name: string): string {
    if (!NAME.test(name)) throw new CarpOvhError(`invalid state file name ${JSON.stringify(name)}`, { source: 'internal' });
    return join(this.path, name);
  }

  async readJson<T>(name: string): Promise<ReadResult<T>> {
    const path = this.file(name);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return { value: null };
      return { value: null, problem: `cannot read ${path}: ${code ?? String(error)}` };
    }
    try {
      return { value: JSON.parse(text) as T };
    } catch {
      // A torn write (power loss on a filesystem without ordered data) or a hand edit:
      // keep the evidence, start afresh.
      const aside = `${path}.corrupt-${Date.now()}`;
      await rename(path, aside).catch(() => undefined);
      return { value: null, problem: `${path} was unreadable (not JSON); moved to ${aside} and starting afresh` };
    }
  }

  /**
   * Atomic: readers see the old file or the new one, never half of either. `sync:
   * false` skips the fsync for files whose loss at power-off costs nothing.
   */
  async writeJson(name: string, value: unknown, options: { sync?: boolean } = {}): Promise<void> {
    const path = this.file(name);
    const temp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
    const text = `${scrubText(JSON.stringify(value, null, 2))}\n`;
    const handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
    try {
      await handle.writeFile(text, 'utf8');
      if (options.sync !== false) await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await rename(temp, path);
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw error;
    }
  }

  async remove(name: string): Promise<void> {
    await unlink(this.file(name)).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
  }

  /** Tries once. Returns null when a live process holds the lock. */
  async tryLock(name: string, purpose: string): Promise<Lock | null> {
    const path = this.file(`${name}.lock`);
    if (await createLockFile(path, purpose)) return lockHandle(path);
    const holder = await readHolder(path);
    if (holder !== null && holdsLive(holder)) return null;
    return (await takeOver(path, purpose)) ? lockHandle(path) : null;
  }

  /** Waits for the lock, polling, until `deadline` (epoch ms) or `shouldStop()` says give up. */
  async waitLock(
    name: string,
    purpose: string,
    options: { deadline: number; pollMs?: number; shouldStop?: () => Promise<boolean> | boolean },
  ): Promise<Lock | null> {
    const pollMs = options.pollMs ?? 50;
    for (;;) {
      const lock = await this.tryLock(name, purpose);
      if (lock !== null) return lock;
      if (Date.now() >= options.deadline) return null;
      if ((await options.shouldStop?.()) === true) return null;
      await sleep(pollMs);
    }
  }

  async lockHolder(name: string): Promise<LockHolder | null> {
    const holder = await readHolder(this.file(`${name}.lock`));
    return holder !== null && holdsLive(holder) ? holder : null;
  }
}

async function createLockFile(path: string, purpose: string): Promise<boolean> {
  try {
    const handle = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
    try {
      const holder: LockHolder = { pid: process.pid, since: new Date().toISOString(), purpose, mono: monotonicNow().toString() };
      await handle.writeFile(JSON.stringify(holder));
    } finally {
      await handle.close();
    }
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new CarpOvhError(`cannot create lock ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, {
      source: 'state',
      file: path,
      cause: error,
    });
  }
}

async function readHolder(path: string): Promise<LockHolder | null> {
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as Partial<LockHolder>;
    return typeof parsed.pid === 'number' ? (parsed as LockHolder) : null;
  } catch {
    // Missing, or torn because its writer died mid-write: either way nobody live holds it.
    return null;
  }
}

/** A holder whose process still runs, in this boot. */
function holdsLive(holder: LockHolder): boolean {
  const stamp = parseStamp(holder.mono);
  const fromEarlierBoot = stamp !== null && isFromEarlierBoot(stamp);
  return !fromEarlierBoot && isAlive(holder.pid);
}

export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Two processes may both find the same dead holder. A short second lock makes the
 * takeover itself exclusive, and the holder is read again inside it, so only one
 * of them replaces the file (the other then sees a live holder and waits).
 * A pid reused in the same boot by an unrelated process makes a stale lock look
 * live (the claim's own deadline bounds that wait); across a reboot `mono` tells.
 */
async function takeOver(path: string, purpose: string): Promise<boolean> {
  const gate = `${path}.takeover`;
  if (!(await createLockFile(gate, 'takeover'))) {
    const info = await stat(gate).catch(() => null);
    if (info === null || Date.now() - info.mtimeMs < TAKEOVER_STALE_MS) return false;
    await unlink(gate).catch(() => undefined);
    if (!(await createLockFile(gate, 'takeover'))) return false;
  }
  try {
    const now = await readHolder(path);
    if (now !== null && holdsLive(now)) return false;
    if (now === null) {
      const info = await stat(path).catch(() => null);
      // Gone: its holder released it. Another process may create it any moment,
      // so nothing is removed here: only the exclusive create decides.
      if (info === null) return await createLockFile(path, purpose);
      // Empty or torn: either a holder that died mid-write, or one that has just
      // created the file and not yet written its pid. Only age tells them apart.
      if (Date.now() - info.mtimeMs < TORN_LOCK_GRACE_MS) return false;
    }
    await unlink(path).catch(() => undefined);
    return await createLockFile(path, purpose);
  } finally {
    await unlink(gate).catch(() => undefined);
  }
}

function lockHandle(path: string): Lock {
  let released = false;
  return {
    path,
    release: async () => {
      if (released) return;
      released = true;
      // Only remove the file if it is still ours: a takeover may have replaced it.
      const holder = await readHolder(path);
      if (holder?.pid === process.pid) await unlink(path).catch(() => undefined);
    },
  };
}
