/**
 * The monotonic clock (process.hrtime) is shared by every process on the machine,
 * so it orders events across processes; but it restarts at boot while the state
 * dir does not. A stamp above the clock now was written in an earlier boot.
 */
export function monotonicNow(): bigint {
  return process.hrtime.bigint();
}

/** Parses a stored stamp: null when the text is not one. */
export function parseStamp(text: unknown): bigint | null {
  return typeof text === 'string' && /^\d{1,30}$/.test(text) ? BigInt(text) : null;
}

/** A well-formed stamp that this boot's clock has not reached yet. */
export function isFromEarlierBoot(stamp: bigint): boolean {
  return stamp > monotonicNow();
}
