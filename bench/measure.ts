/** Small measuring tools shared by the benchmarks: wall time, child CPU and peak RSS. */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const RSS_REPORTER = fileURLToPath(new URL('./rss-reporter.mjs', import.meta.url));

export interface RunStats {
  pid: number | undefined;
  code: number | null;
  wallMs: number;
  /** user + system CPU of the measured process, from its own resourceUsage at exit. */
  cpuMs: number | null;
  maxRssKb: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The environment a measured carp-ovh process gets: the bench's own, less what a
 * router's devd, cron or rc.d would not give it. NODE_EXTRA_CA_CERTS on the test
 * machine names the whole system bundle, and made every process that speaks TLS
 * parse those 144 certificates once more (a `check`: ~20 ms of CPU, ~1 MiB).
 */
export function routerEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  delete env.NODE_EXTRA_CA_CERTS;
  return env;
}

/**
 * Runs `node ARGS` and measures it. With `instrument`, a preloaded module reports
 * the child's own CPU time and peak RSS on fd 3 as it exits, so nothing in the
 * product has to know it is being measured.
 */
export async function runNode(args: string[], options: { env?: NodeJS.ProcessEnv; instrument?: boolean; instrumentTree?: string } = {}): Promise<RunStats> {
  const fullArgs = options.instrument === true ? ['--import', RSS_REPORTER, ...args] : args;
  // instrumentTree: every node process of the tree (the child and what it starts) reports into that dir.
  const tree = options.instrumentTree === undefined ? {} : { NODE_OPTIONS: `--import ${RSS_REPORTER}`, CARP_OVH_BENCH_RSS_DIR: options.instrumentTree };
  const started = performance.now();
  const child = spawn(process.execPath, fullArgs, {
    env: routerEnv({ ...options.env, ...tree }),
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let report = '';
  child.stdout?.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr?.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const fd3 = child.stdio[3] as NodeJS.ReadableStream | null;
  fd3?.setEncoding('utf8');
  fd3?.on('data', (c: string) => (report += c));
  // Both listeners now: 'close' may follow 'exit' before a late listener is attached.
  let wallMs = 0;
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (c) => {
      wallMs = performance.now() - started;
      resolve(c);
    }),
  );
  const closed = new Promise((resolve) => child.on('close', resolve));
  const code = await exited;
  await closed;
  let cpuMs: number | null = null;
  let maxRssKb: number | null = null;
  if (report !== '') {
    const parsed = JSON.parse(report) as { cpuMs: number; maxRssKb: number };
    cpuMs = parsed.cpuMs;
    maxRssKb = parsed.maxRssKb;
  }
  return { pid: child.pid, code, wallMs, cpuMs, maxRssKb, stdout, stderr };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface ProcessReport {
  pid: number;
  argv: string[];
  cpuMs: number;
  maxRssKb: number;
}

/** The reports an instrumentTree run left in `dir`, one per node process that exited. */
export function treeReports(dir: string): ProcessReport[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .map((name) => JSON.parse(readFileSync(join(dir, name), 'utf8')) as ProcessReport);
}
