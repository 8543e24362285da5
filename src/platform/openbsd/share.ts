import { CarpOvhError } from '../../errors.ts';
import { StateDir } from '../../state.ts';

/**
 * carp-ovh's share of the carp group's demote counter. The counter is shared with
 * the kernel (which raises it itself when an interface fails), ifstated and the
 * operator, and the kernel zeroes it at boot; so the counter alone cannot tell
 * whether our share is in it. We remember what we added and in which boot
 * (kern.boottime): a record from an earlier boot means our share is gone.
 *
 * A change is written as an intent before the ifconfig call and confirmed after
 * it. A crash in between leaves the intent; it is taken as done (the call is
 * the likelier part to have finished), unless the counter proves otherwise.
 */

export const SHARE_FILE = 'openbsd-demotion.json';

export interface ShareRecord {
  /** kern.boottime (epoch seconds) of the boot the share was added in. */
  boottime: number;
  /** The amount added, 0 when none is in. */
  share: number;
  /** An ifconfig call that was about to run: `add` or `remove` this amount. */
  pending?: { op: 'add' | 'remove'; amount: number };
}

function valid(record: unknown): record is ShareRecord {
  if (typeof record !== 'object' || record === null) return false;
  const r = record as Record<string, unknown>;
  const integer = (value: unknown, max: number) => Number.isInteger(value) && (value as number) >= 0 && (value as number) <= max;
  if (!integer(r.boottime, Number.MAX_SAFE_INTEGER) || !integer(r.share, 255)) return false;
  if (r.pending === undefined) return true;
  const p = r.pending as Record<string, unknown>;
  return typeof p === 'object' && p !== null && (p.op === 'add' || p.op === 'remove') && integer(p.amount, 128);
}

/** Our share as it stands in this boot, given the counter as read now. */
export function shareNow(record: ShareRecord | null, boottime: number, counter: number): number {
  if (record === null || record.boottime !== boottime) return 0;
  let share = record.share;
  if (record.pending !== undefined) {
    const { op, amount } = record.pending;
    // An add that left the counter below its own amount did not happen.
    if (op === 'add') share = counter >= amount ? amount : 0;
    else share = 0;
  }
  // Someone took more than the rest of the group holds: whatever is left is all there is.
  return Math.min(share, counter);
}

export class ShareStore {
  readonly #dir: StateDir;

  constructor(stateDir: string) {
    this.#dir = new StateDir(stateDir);
  }

  async read(): Promise<ShareRecord | null> {
    const { value } = await this.#dir.readJson<unknown>(SHARE_FILE);
    return valid(value) ? value : null;
  }

  async write(record: ShareRecord): Promise<void> {
    await this.#dir.ensure();
    await this.#dir.writeJson(SHARE_FILE, record);
  }

  /** One change at a time across processes (check --every, a claim that failed, maintenance). */
  async exclusive<T>(fn: () => Promise<T>, timeoutMs: number): Promise<T> {
    await this.#dir.ensure();
    const lock = await this.#dir.waitLock('openbsd-demotion', 'carp group demotion', { deadline: Date.now() + timeoutMs, pollMs: 25 });
    if (lock === null) {
      throw new CarpOvhError(`another carp-ovh process held the demotion lock in ${this.#dir.path} for more than ${timeoutMs} ms`, {
        source: 'platform',
        retryable: true,
      });
    }
    try {
      return await fn();
    } finally {
      await lock.release();
    }
  }
}
