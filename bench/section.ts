/**
 * One part of `npm run bench`: it measures, then says what it measured as table
 * rows, how each figure is taken, and what this run's figures decide. bench/run.ts
 * runs the sections listed there, one after another, and writes docs/benchmarks.md;
 * a new benchmark is a new module exporting a BenchSection, and one line there.
 */
export interface BenchContext {
  /** `--quick`: skip the runs that take minutes (a section says which it skipped). */
  quick: boolean;
  log(text: string): void;
}

/** measure, carp-ovh, reference, ratio, goal. */
export type BenchRow = [string, string, string, string, string];

export interface SectionReport {
  rows: BenchRow[];
  /** Markdown bullets: how each figure of the section is taken. */
  method: string[];
  /** Markdown bullets worded from this run's figures (never fixed text that ignores them). */
  decisions: string[];
  /** What the section left out in this run, if anything (e.g. under --quick). */
  skipped?: string;
}

export interface BenchSection {
  name: string;
  run(ctx: BenchContext): Promise<SectionReport>;
}

export const ratio = (a: number, b: number): string => (a / b).toFixed(2);
export const mib = (kb: number | null): string => (kb === null ? 'n/a' : `${(kb / 1024).toFixed(0)} MiB`);
/** The same KiB in decimal megabytes, for goals stated in MB. */
export const mb = (kb: number | null): string => (kb === null ? 'n/a' : `${((kb * 1024) / 1e6).toFixed(1)} MB`);
