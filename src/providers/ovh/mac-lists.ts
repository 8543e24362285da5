/**
 * Coalesces reads of a vMAC's address list: every address waiting on the same
 * vMAC shares one request per poll, so 32 VIPs cost what one does (and the claim
 * stays under ovh.max_rpm).
 */
export class MacLists {
  private readonly fetch: (mac: string, signal: AbortSignal) => Promise<string[] | null>;
  private readonly freshMs: number;
  private readonly cache = new Map<string, { at: number; value: Promise<string[] | null> }>();

  constructor(fetch: (mac: string, signal: AbortSignal) => Promise<string[] | null>, freshMs: number) {
    this.fetch = fetch;
    this.freshMs = freshMs;
  }

  /** null when the vMAC does not exist (OVH deletes a vMAC with its last IP). */
  get(mac: string, signal: AbortSignal): Promise<string[] | null> {
    const now = Date.now();
    const cached = this.cache.get(mac);
    if (cached !== undefined && now - cached.at < this.freshMs) return cached.value;
    const value = this.fetch(mac, signal);
    this.cache.set(mac, { at: now, value });
    // A failed read must not be served to the next poller.
    value.catch(() => {
      if (this.cache.get(mac)?.value === value) this.cache.delete(mac);
    });
    return value;
  }

  /** After a mutation the next read must be fresh. */
  invalidate(mac: string): void {
    this.cache.delete(mac);
  }
}
