/**
 * Benchmark pieces for the health check (issue 4), for bench/ to call:
 * - measureCheck: wall and CPU time of one `carp-ovh check` with the three
 *   built-in probes and N service scripts that each sleep;
 * - measureSealToDemotion: under `check --every`, the time from sealing Vault to
 *   the demotion written in the (fake) kernel.
 * Both run the built CLI (`npm run build` first) against the loopback stand-ins.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI_PATH } from './cli.ts';
import { seedState } from './ovh-sim/state.ts';
import { BIT, healthRouter, lastCheck, writeScript } from './health.ts';
import { startWorld, waitFor, type Router } from './world.ts';

/**
 * Preloaded into the measured process: at exit it writes its own CPU time to fd 3.
 * Its own only: the scripts and the fake ifconfig/sysctl (node programs here, C on
 * FreeBSD) are not counted.
 */
const CPU_REPORTER = `data:text/javascript,${encodeURIComponent(
  "import { writeSync } from 'node:fs'; process.on('exit', () => { const u = process.resourceUsage(); try { writeSync(3, JSON.stringify({ cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000 })); } catch {} });",
)}`;

export interface CheckMeasure {
  wallMs: number;
  cpuMs: number;
}

async function timedCheck(router: Router): Promise<CheckMeasure & { code: number | null; output: string }> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', CPU_REPORTER, CLI_PATH, '--config', router.configPath, 'check'], {
    env: { PATH: '/usr/bin:/bin' },
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
  });
  let output = '';
  let report = '';
  child.stdout?.setEncoding('utf8').on('data', (c: string) => (output += c));
  child.stderr?.setEncoding('utf8').on('data', (c: string) => (output += c));
  (child.stdio[3] as NodeJS.ReadableStream | null)?.setEncoding('utf8').on('data', (c: string) => (report += c));
  let wallMs = 0;
  // Both listeners at once: 'close' can follow 'exit' before a later listener would be attached.
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (c) => {
      wallMs = performance.now() - started;
      resolve(c);
    }),
  );
  const closed = new Promise((resolve) => child.on('close', resolve));
  const code = await exited;
  await closed;
  const cpuMs = report === '' ? Number.NaN : (JSON.parse(report) as { cpuMs: number }).cpuMs;
  return { code, output, wallMs, cpuMs };
}

/**
 * One healthy MASTER (the VIP already on its MAC, so the claim probe looks at OVH
 * too) with `scripts` service scripts each sleeping `sleepMs`. After a warm-up run,
 * `runs` checks (default 3); returns the one with the median wall time.
 */
export async function measureCheck(options: { scripts: number; sleepMs: number; runs?: number }): Promise<CheckMeasure> {
  const world = await startWorld({ label: 'bench-health-check' });
  try {
    world.ovh.setState(seedState());
    const router = healthRouter(world, { state: 'MASTER', tuning: { probe_timeout: '10s', script_timeout: `${Math.ceil(options.sleepMs / 1000) + 10}s` } });
    const claimed = await router.hook('MASTER', { wait: true });
    if (claimed.code !== 0) throw new Error(`bench setup: the claim failed: ${claimed.stdout}${claimed.stderr}`);
    for (let i = 1; i <= options.scripts; i++) writeScript(router, `sleep-${i}`, `sleep ${(options.sleepMs / 1000).toFixed(3)}`);

    await timedCheck(router);
    const runs: CheckMeasure[] = [];
    for (let i = 0; i < (options.runs ?? 3); i++) {
      const run = await timedCheck(router);
      if (run.code !== 0) throw new Error(`bench: check exited ${String(run.code)}:\n${run.output}`);
      runs.push({ wallMs: run.wallMs, cpuMs: run.cpuMs });
    }
    const sorted = runs.sort((a, b) => a.wallMs - b.wallMs);
    const median = sorted[Math.floor(sorted.length / 2)];
    if (median === undefined) throw new Error('bench: no run');
    return median;
  } finally {
    await world.close();
  }
}

/**
 * `check --every everyMs` on a healthy router; Vault is sealed just after a check
 * finished (the worst moment: the next check is a whole interval away). Returns
 * the milliseconds from the seal to the demotion bit in the kernel: the goal is at
 * most one interval plus one check.
 */
export async function measureSealToDemotion(options: { everyMs: number }): Promise<number> {
  const world = await startWorld({ label: 'bench-health-seal' });
  const router = healthRouter(world, { tuning: { probe_timeout: '10s', script_timeout: '10s' } });
  const loop = spawn(process.execPath, [CLI_PATH, '--config', router.configPath, 'check', '--every', `${options.everyMs}ms`], {
    env: { PATH: '/usr/bin:/bin' },
    stdio: 'ignore',
  });
  const exited = new Promise((resolve) => loop.on('exit', resolve));
  try {
    await waitFor(() => lastCheck(router)?.healthy === true, 30_000, 'the first healthy check of the loop');
    const first = readFileSync(join(router.stateDir, 'last-check.json'), 'utf8');
    await waitFor(() => readFileSync(join(router.stateDir, 'last-check.json'), 'utf8') !== first, options.everyMs + 30_000, 'the second check');
    const sealedAt = performance.now();
    world.vault.seal();
    await waitFor(() => (Math.trunc(router.demotion() / BIT) & 1) === 1, options.everyMs + 60_000, 'the demotion');
    return performance.now() - sealedAt;
  } finally {
    loop.kill('SIGTERM');
    await exited;
    await world.close();
  }
}
