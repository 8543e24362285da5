/**
 * `npm run test:stress [-- --runs N]`: the whole suite N times (default 3) with
 * two CPU-bound processes beside it, the way a busy CI runner or a shared
 * two-core machine runs it. Every failure is reported with its test name and
 * file; a suite that is only green on an idle machine fails here.
 *
 * The busy processes are this script's children, ended by pid when it ends,
 * whether the runs passed, failed or the script was interrupted.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

interface RunReport {
  passed: number;
  failed: number;
  skipped: number;
  seconds: number;
  failures: Array<{ name: string; file: string; line?: number }>;
}

const BUSY_PROCESSES = 2;
const BUSY_LOOP = 'for (;;) {}';

function usage(message: string): never {
  process.stderr.write(`test:stress: ${message}\nusage: npm run test:stress [-- --runs N] [FILTER...]\n`);
  process.exit(2);
}

let runs = 3;
/** Like `npm test -- FILTER…`: only the test files whose path contains one (the whole suite when none). */
let filters: string[] = [];
try {
  const { values, positionals } = parseArgs({ options: { runs: { type: 'string' } }, strict: true, allowPositionals: true });
  filters = positionals;
  if (values.runs !== undefined) {
    if (!/^[1-9]\d{0,2}$/.test(values.runs)) usage(`--runs must be a whole number from 1 to 999, not ${JSON.stringify(values.runs)}`);
    runs = Number(values.runs);
  }
} catch (error) {
  usage((error as Error).message);
}

const busy: ChildProcess[] = [];
let suite: ChildProcess | null = null;

function stopChildren(): void {
  const targets = busy.map((child) => ({ child, pid: child.pid }));
  if (suite !== null) targets.push({ child: suite, pid: suite.pid === undefined ? undefined : -suite.pid });
  for (const { child, pid } of targets) {
    if (pid === undefined || child.exitCode !== null || child.signalCode !== null) continue;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    stopChildren();
    process.stderr.write(`test:stress: stopped by ${signal}; the busy processes were ended\n`);
    process.exit(130);
  });
}
process.on('exit', stopChildren);

function runSuite(index: number, reportPath: string): Promise<{ code: number | null; seconds: number; report: RunReport | null }> {
  const started = performance.now();
  return new Promise((resolve) => {
    // The suite itself is run as `npm test` does (the build ran once, up front).
    // Its own process group, so an interrupted stress run ends the test files' processes too.
    const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', 'scripts/run-tests.ts', ...filters], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, CARP_OVH_TEST_FAILURES: reportPath },
    });
    suite = child;
    const prefix = `[run ${index}] `;
    let partial = '';
    // The whole output, for the failures' messages: kept when the run fails.
    const log = createWriteStream(logPathOf(index));
    child.stdout?.pipe(log);
    const relay = (chunk: Buffer): void => {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      // Only the lines that matter for a stress run: failures and the closing totals.
      for (const line of lines) if (/^(failed: |total time: |tests: )/.test(line)) process.stdout.write(`${prefix}${line}\n`);
    };
    child.stdout?.on('data', relay);
    child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(chunk));
    child.on('close', (code) => {
      suite = null;
      log.end();
      let report: RunReport | null = null;
      try {
        report = JSON.parse(readFileSync(reportPath, 'utf8')) as RunReport;
      } catch {
        report = null; // the suite died before it could write its report
      }
      resolve({ code, seconds: (performance.now() - started) / 1000, report });
    });
  });
}

const build = spawnSync('npm', ['run', 'build'], { stdio: 'inherit' });
if (build.status !== 0) usage('npm run build failed');

for (let i = 0; i < BUSY_PROCESSES; i++) {
  const child = spawn(process.execPath, ['-e', BUSY_LOOP], { stdio: 'ignore' });
  busy.push(child);
}
process.stdout.write(
  `test:stress: ${runs} run(s) of ${filters.length === 0 ? 'the whole suite' : filters.join(' ')} beside ${BUSY_PROCESSES} CPU-bound processes (pids ${busy.map((c) => c.pid).join(', ')})\n`,
);

const dir = mkdtempSync(join(tmpdir(), 'carp-ovh-stress-'));
const logPathOf = (index: number): string => join(dir, `run-${index}.log`);
const results: Array<{ code: number | null; seconds: number; report: RunReport | null }> = [];
try {
  for (let i = 1; i <= runs; i++) results.push(await runSuite(i, join(dir, `run-${i}.json`)));
} finally {
  stopChildren();
}
const failedLogs = results.flatMap((result, i) => (result.code === 0 && result.report?.failed === 0 ? [] : [logPathOf(i + 1)]));
if (failedLogs.length === 0) rmSync(dir, { recursive: true, force: true });

let failedTests = 0;
let failedRuns = 0;
process.stdout.write('\ntest:stress: results\n');
results.forEach((result, i) => {
  const { report } = result;
  if (report === null) {
    failedRuns++;
    process.stdout.write(`  run ${i + 1}: the suite exited (code ${result.code}) without a report, after ${result.seconds.toFixed(1)} s\n`);
    return;
  }
  if (report.failed > 0 || result.code !== 0) failedRuns++;
  failedTests += report.failed;
  process.stdout.write(`  run ${i + 1}: ${report.passed} passed, ${report.failed} failed in ${report.seconds.toFixed(1)} s\n`);
  for (const f of report.failures) process.stdout.write(`    ✖ ${f.name} (${f.file}${f.line === undefined ? '' : `:${f.line}`})\n`);
});
const durations = results.map((r) => `${(r.report?.seconds ?? r.seconds).toFixed(1)} s`).join(', ');
process.stdout.write(`stress: ${runs} runs, ${failedRuns} with failures, ${failedTests} failed tests; suite durations ${durations}\n`);
for (const path of failedLogs) process.stdout.write(`full output of a failed run: ${path}\n`);
process.exitCode = failedRuns === 0 ? 0 : 1;
