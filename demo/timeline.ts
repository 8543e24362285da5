/**
 * What every demo story shares: a timeline of what happened (printed as it
 * happens unless --quiet), the checks the story expects, what carp-ovh itself
 * logged, and the summary that makes `npm run demo` exit 1 when a step is missing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { formatDuration } from '../src/duration.ts';

export interface Event {
  at: number;
  who: string;
  what: string;
}

export class Timeline {
  readonly #t0 = Date.now();
  readonly #quiet: boolean;
  readonly #checks: string[] = [];
  #failed = false;

  constructor(options: { quiet: boolean }) {
    this.#quiet = options.quiet;
  }

  get failed(): boolean {
    return this.#failed;
  }

  stamp(at: number): string {
    return `+${((at - this.#t0) / 1000).toFixed(3).padStart(7)}s`;
  }

  /** One line of the story, as it happens. */
  note(who: string, what: string): void {
    if (!this.#quiet) process.stdout.write(`${this.stamp(Date.now())}  ${who.padEnd(13)}  ${what}\n`);
  }

  /** A step the story must show; one that does not happen fails the demo. */
  expect(what: string, ok: boolean): void {
    this.#checks.push(`${ok ? 'ok  ' : 'FAIL'}  ${what}`);
    if (!ok) this.#failed = true;
  }

  /** The story broke off: say where, and fail. */
  broke(error: unknown): void {
    this.#checks.push(`FAIL  ${error instanceof Error ? error.message : String(error)}`);
    this.#failed = true;
  }

  /** What carp-ovh logged on each node (its detached workers, syslog off in the demo), in time order. */
  printLogs(nodes: ReadonlyArray<{ name: string; logFile: string }>): void {
    process.stdout.write(`\nWhat carp-ovh logged (worker logs, syslog off in the demo):\n`);
    const lines = nodes.flatMap((node) => logEvents(node.name, node.logFile)).sort((a, b) => a.at - b.at);
    for (const line of lines) process.stdout.write(`${this.stamp(line.at)}  ${line.who.padEnd(13)}  ${line.what}\n`);
  }

  printSummary(): void {
    process.stdout.write(`\nSummary (${formatDuration(Date.now() - this.#t0)} in all):\n${this.#checks.map((c) => `  ${c}`).join('\n')}\n`);
  }
}

function logEvents(who: string, file: string): Event[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { time: string; msg: string; level: number })
    .filter((record) => record.level >= 30)
    .map((record) => ({ at: Date.parse(record.time), who, what: `carp-ovh: ${record.msg}` }));
}
