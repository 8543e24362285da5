import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * Gives a long-lived loop's memory back between its runs. V8 sizes its heap
 * for throughput: a process that allocates a little every few seconds grows
 * its young generation and leaves dead objects in the old one for as long as
 * no limit is near, so `check --every` without heap flags went from 93 to
 * 240 MiB over 1000 runs while its live heap stayed near 15 MiB
 * (docs/health.md, "Memory"). A last-resort collection is the one V8 makes
 * when memory is short: it compacts the old generation and shrinks the young
 * one, so the process returns to its live size. A regular full collection
 * does not shrink it (91 -> 140 MiB over 300 runs, against 81 -> 81).
 *
 * It runs after a run, while the loop would sleep anyway, and only once RSS
 * has grown by 3 % since the last one, and at most every `minRuns` runs, so
 * memory a collection cannot give back never costs one per run (one takes
 * ~40 ms). At a tenth, `check --every 100ms` without node flags reached
 * 81 MiB at its 1000th run; at 3 %, 77 MiB at the same CPU per run
 * (docs/health.md, "Memory").
 */
/** RSS growth since the last collection that calls for the next one. */
const GROWTH = 1.03;

export class HeapTrim {
  private readonly collect: () => void;
  private readonly rss: () => number;
  private readonly minRuns: number;
  private floor: number | null = null;
  private runsSince = 0;

  constructor(collect: () => void, options: { minRuns?: number; rss?: () => number } = {}) {
    this.collect = collect;
    this.minRuns = options.minRuns ?? 10;
    this.rss = options.rss ?? (() => process.memoryUsage.rss());
  }

  /**
   * Null when this node offers no way to collect on demand: the loop then runs
   * as before. `gc` exists only in contexts created after --expose-gc is set; a
   * fresh vm context gets it without putting it on this program's global object.
   */
  static create(): HeapTrim | null {
    try {
      setFlagsFromString('--expose-gc');
      const gc: unknown = runInNewContext('typeof gc === "function" ? gc : null');
      if (typeof gc !== 'function') return null;
      return new HeapTrim(() => gc({ type: 'major', execution: 'sync', flavor: 'last-resort' }));
    } catch {
      return null;
    }
  }

  /** Call once a run has ended. The first call collects the start-up garbage and sets the floor. */
  afterRun(): void {
    this.runsSince += 1;
    if (this.floor !== null && (this.runsSince < this.minRuns || this.rss() <= this.floor * GROWTH)) return;
    this.collect();
    this.runsSince = 0;
    this.floor = this.rss();
  }
}
