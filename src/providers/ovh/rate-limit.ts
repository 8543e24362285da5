import { sleep } from '../../sleep.ts';

/**
 * A sliding one-minute window: at most `perMinute` requests in any 60 s.
 * OVH documents no 429 but its engineers advise ~60 requests/minute per
 * consumer key; staying under it is cheaper than finding out what happens above.
 */
export class RateLimiter {
  private readonly perMinute: number;
  private readonly windowMs: number;
  private readonly sent: number[] = [];
  private queue: Promise<void> = Promise.resolve();

  // A little over a minute, so that OVH's own count (by arrival) agrees at the edges.
  constructor(perMinute: number, windowMs = 60_500) {
    this.perMinute = perMinute;
    this.windowMs = windowMs;
  }

  /** Resolves when one more request fits in the window; callers are served in order. */
  take(signal?: AbortSignal): Promise<void> {
    const turn = this.queue.then(() => this.wait(signal));
    // A caller that gave up must not block the ones behind it.
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  get inLastMinute(): number {
    this.prune(Date.now());
    return this.sent.length;
  }

  private async wait(signal?: AbortSignal): Promise<void> {
    for (;;) {
      const now = Date.now();
      this.prune(now);
      if (this.sent.length < this.perMinute) {
        this.sent.push(now);
        return;
      }
      const oldest = this.sent[0] ?? now;
      await sleep(Math.max(1, oldest + this.windowMs - now), signal);
    }
  }

  private prune(now: number): void {
    while (this.sent.length > 0 && (this.sent[0] ?? 0) <= now - this.windowMs) this.sent.shift();
  }
}
