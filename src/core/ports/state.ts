/**
 * The state dir as the core uses it: small JSON files written atomically, and
 * named locks (src/state.ts `StateDir` is the implementation).
 */

export interface ReadResult<T> {
  value: T | null;
  /** Set when the file existed but could not be used; the file has been set aside. */
  problem?: string;
}

export interface Lock {
  readonly path: string;
  release(): Promise<void>;
}

export interface LockHolder {
  pid: number;
  since: string;
  purpose: string;
  /**
   * process.hrtime.bigint() when the lock was taken. The monotonic clock restarts
   * at boot: a value above the clock now was written in an earlier boot, by a
   * process whose pid may since have gone to an unrelated live one.
   */
  mono?: string;
}

export interface StateStore {
  readonly path: string;
  ensure(): Promise<void>;
  readJson<T>(name: string): Promise<ReadResult<T>>;
  writeJson(name: string, value: unknown): Promise<void>;
  /** null when someone else holds it. */
  tryLock(name: string, purpose: string): Promise<Lock | null>;
  waitLock(name: string, purpose: string, options: { deadline: number; pollMs?: number; shouldStop?: () => Promise<boolean> | boolean }): Promise<Lock | null>;
  lockHolder(name: string): Promise<LockHolder | null>;
}
