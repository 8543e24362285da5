import type { StateDir } from '../../state.ts';
import { inWindow, memoryWindow, takeFrom, type SendWindow } from './rate-limit.ts';

export const SEND_WINDOW_FILE = 'ovh-requests.json';
/** Held for one read-modify-write of a few hundred bytes; longer means its holder is stuck. */
const LOCK_PATIENCE_MS = 2000;

interface WindowFile {
  sent: number[];
}

/**
 * The router's OVH request window, shared by every carp-ovh process on it (the
 * claim worker, the health loop, a doctor run): each send is recorded in the state
 * dir under a lock, so together they stay within `ovh.max_rpm`. A state dir that
 * cannot be used (not created yet for doctor, full disk) or a lock that stays busy
 * does not stop a failover: the send is then counted in this process only.
 */
export function stateDirWindow(state: StateDir, options: { onGrant?: (at: number) => void } = {}): SendWindow {
  const read = async (): Promise<number[]> => {
    const { value } = await state.readJson<WindowFile>(SEND_WINDOW_FILE);
    return Array.isArray(value?.sent) ? value.sent.filter((t): t is number => typeof t === 'number' && Number.isFinite(t)) : [];
  };
  const local = memoryWindow();
  return {
    async take(limit, windowMs) {
      const lock = await state.waitLock('ovh-requests', 'ovh request window', { deadline: Date.now() + LOCK_PATIENCE_MS, pollMs: 2 }).catch(() => null);
      if (lock === null) return local.take(limit, windowMs);
      try {
        const now = Date.now();
        const sent = inWindow(await read(), now, windowMs);
        const waitMs = takeFrom(sent, now, limit, windowMs);
        if (waitMs === 0) {
          await state.writeJson(SEND_WINDOW_FILE, { sent } satisfies WindowFile, { sync: false });
          options.onGrant?.(now);
        }
        return waitMs;
      } catch {
        return local.take(limit, windowMs);
      } finally {
        await lock.release();
      }
    },
    count: async (now, windowMs) => inWindow(await read(), now, windowMs).length,
  };
}
