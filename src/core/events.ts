import { isFromEarlierBoot, monotonicNow, parseStamp } from '../monotonic.ts';
import type { StateStore } from './ports/index.ts';
import type { CarpState } from './ports/index.ts';

/**
 * The newest CARP event seen for each vhid. A claim started by an older event
 * (or a reconcile started before it) stops before its next mutating call.
 * Sequence numbers come from the monotonic clock (process.hrtime), which every
 * process on the machine shares, so the hook stamps the event when devd runs it.
 */
export interface EventRecord {
  seq: string;
  type: CarpState;
  at: string;
  pid: number;
}

export function newSequence(): bigint {
  return monotonicNow();
}

function fileFor(key: string): string {
  return `event-${key}.json`;
}

/** Records the event unless a newer one is already there; says whether it is the newest. */
export async function recordEvent(state: StateStore, key: string, seq: bigint, type: CarpState): Promise<boolean> {
  const lock = await state.waitLock(`event-${key}`, 'record event', { deadline: Date.now() + 5000, pollMs: 5 });
  try {
    const current = await latestEvent(state, key);
    if (current !== null && BigInt(current.seq) > seq) return false;
    const record: EventRecord = { seq: seq.toString(), type, at: new Date().toISOString(), pid: process.pid };
    await state.writeJson(fileFor(key), record);
    return true;
  } finally {
    await lock?.release();
  }
}

export async function latestEvent(state: StateStore, key: string): Promise<EventRecord | null> {
  const { value } = await state.readJson<EventRecord>(fileFor(key));
  // An event from an earlier boot would make every event after a reboot look older than it.
  const stamp = parseStamp(value?.seq);
  return value !== null && stamp !== null && !isFromEarlierBoot(stamp) ? value : null;
}

export async function isSuperseded(state: StateStore, key: string, seq: bigint): Promise<EventRecord | null> {
  const latest = await latestEvent(state, key);
  return latest !== null && BigInt(latest.seq) > seq ? latest : null;
}

/** The newest recorded event of each key, as one string that changes whenever any of them does. */
export async function recordedEvents(state: StateStore, keys: readonly string[]): Promise<string> {
  const seqs = await Promise.all(keys.map(async (key) => `${key}=${(await latestEvent(state, key))?.seq ?? ''}`));
  return seqs.join(',');
}
