import type { SimRequestRecord, SimStats } from './types.ts';

/**
 * What tests assert on: which calls were made, how they were answered, how
 * many 409s and how many requests per minute. Records hold no header at all,
 * so neither the consumer key nor the signature can leak through them.
 */
export class RequestLog {
  private records: SimRequestRecord[] = [];
  private seq = 0;
  private conflictCount = 0;

  add(record: Omit<SimRequestRecord, 'seq'>): SimRequestRecord {
    const full = { ...record, seq: ++this.seq };
    this.records.push(full);
    if (full.status === 409) this.conflictCount += 1;
    return full;
  }

  list(): SimRequestRecord[] {
    return this.records.map((r) => ({ ...r }));
  }

  get conflicts(): number {
    return this.conflictCount;
  }

  clear(): void {
    this.records = [];
    this.conflictCount = 0;
  }

  stats(now: number): SimStats {
    const byStatus: Record<string, number> = {};
    let dropped = 0;
    let stalled = 0;
    for (const r of this.records) {
      byStatus[String(r.status)] = (byStatus[String(r.status)] ?? 0) + 1;
      if (r.fault === 'drop') dropped += 1;
      if (r.fault === 'stall') stalled += 1;
    }
    const times = this.records.map((r) => r.time).sort((a, b) => a - b);
    let maxPerMinute = 0;
    let start = 0;
    for (let end = 0; end < times.length; end++) {
      while ((times[end] ?? 0) - (times[start] ?? 0) >= 60_000) start += 1;
      maxPerMinute = Math.max(maxPerMinute, end - start + 1);
    }
    return {
      total: this.records.length,
      conflicts: this.conflictCount,
      byStatus,
      dropped,
      stalled,
      requestsLastMinute: times.filter((t) => now - t < 60_000).length,
      maxRequestsPerMinute: maxPerMinute,
    };
  }
}
