import { sleep } from '../../sleep.ts';

/**
 * Where a rate window keeps its send times: in this process, or in a file that
 * every process of the router shares (see send-window-file.ts).
 */
export interface SendWindow {
  /**
   * Records a send now and returns 0 when fewer than `limit` sends fall in the last
   * `windowMs`; otherwise records nothing and returns the ms until one leaves it.
   * "Now" is read once the window is the caller's alone, so no two takes interleave.
   */
  take(limit: number, windowMs: number): Promise<number>;
  /** Sends recorded in the window ending at `now`. */
  count(now: number, windowMs: number): Promise<number>;
}

/** Send times of the window that are still inside it at `now`, oldest first. */
export function inWindow(sent: readonly number[], now: number, windowMs: number): number[] {
  // A time ahead of `now` by more than a second is a wall clock stepped back: it would block for ever.
  return sent.filter((t) => t > now - windowMs && t <= now + 1000).sort((a, b) => a - b);
}

/** Decides one take against the times already in the window; pushes `now` when it fits. */
export function takeFrom(sent: number[], now: number, limit: number, windowMs: number): number {
  if (sent.length < limit) {
    sent.push(now);
    return 0;
  }
  return Math.max(1, (sent[sent.length - limit] ?? now) + windowMs - now);
}

export function memoryWindow(): SendWindow {
  let sent: number[] = [];
  return {
    take: async (limit, windowMs) => {
      const now = Date.now();
      sent = inWindow(sent, now, windowMs);
      return takeFrom(sent, now, limit, windowMs);
    },
    count: async (now, windowMs) => inWindow(sent, now, windowMs).length,
  };
}

/**
 * A sliding one-minute window: at most `perMinute` requests in any 60 s.
 * OVH documents no 429 but its engineers advise ~60 requests/minute per
 * consumer key; staying under it is cheaper than finding out what happens above.
 */
export class RateLimiter {
  private readonly perMinute: number;
  private readonly windowMs: number;
  private readonly window: SendWindow;
  private queue: Promise<void> = Promise.resolve();

  // A little over a minute, so that OVH's own count (by arrival) agrees at the edges.
  constructor(perMinute: number, windowMs = 60_500, window: SendWindow = memoryWindow()) {
    this.perMinute = perMinute;
    this.windowMs = windowMs;
    this.window = window;
  }

  /** Resolves when one more request fits in the window; callers are served in order. */
  take(signal?: AbortSignal): Promise<void> {
    const turn = this.queue.then(() => this.wait(signal));
    // A caller that gave up must not block the ones behind it.
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  inLastMinute(): Promise<number> {
    return this.window.count(Date.now(), this.windowMs);
  }

  private async wait(signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      const waitMs = await this.window.take(this.perMinute, this.windowMs);
      if (waitMs === 0) return;
      await sleep(waitMs, signal);
    }
  }
}
