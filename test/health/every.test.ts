/** `check --every`: a loop for daemon(8) whose runs never overlap, with each other or with a cron check. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CLI_PATH } from '../support/cli.ts';
import { healthRouter, lastCheck, writeScript } from '../support/health.ts';
import { startWorld, type Router, type World } from '../support/world.ts';
import { waitUntil } from '../support/wait.ts';

interface CheckProcess {
  pid: number;
  stderr(): string;
  /** Waits for the end: SIGTERM first unless `wait`. */
  stop(options?: { wait: boolean }): Promise<{ code: number | null; stdout: string; stderr: string }>;
}

const running = new Set<CheckProcess>();

/** `check ARGS` as its own process (a loop with --every, else one cron check), read as it goes. */
function startCheck(router: Router, args: string[]): CheckProcess {
  const child = spawn(process.execPath, [CLI_PATH, '--config', router.configPath, 'check', ...args], {
    env: { PATH: '/usr/bin:/bin' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const check: CheckProcess = {
    pid: child.pid ?? 0,
    stderr: () => stderr,
    stop: async (options = { wait: false }) => {
      running.delete(check);
      if (!options.wait) child.kill('SIGTERM');
      const code = await closed;
      return { code, stdout, stderr };
    },
  };
  running.add(check);
  return check;
}

/** Start/end stamps a script appends: `start <ms>` / `end <ms>` lines. */
function intervals(file: string): Array<[number, number]> {
  const lines = existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n') : [];
  const out: Array<[number, number]> = [];
  for (let i = 0; i + 1 < lines.length; i += 2) {
    const [a, b] = [lines[i], lines[i + 1]];
    assert.match(a ?? '', /^start \d+$/, `interleaved runs in ${lines.join(' | ')}`);
    assert.match(b ?? '', /^end \d+$/, `interleaved runs in ${lines.join(' | ')}`);
    out.push([Number(a?.split(' ')[1]), Number(b?.split(' ')[1])]);
  }
  return out;
}

describe('check --every', () => {
  let world: World;
  before(async () => {
    world = await startWorld({ label: 'health-every' });
  });
  after(async () => {
    // A failed assertion must not leave a check running.
    await Promise.all([...running].map((check) => check.stop()));
    await world.close();
  });

  test('runs back to back without overlap; a cron check meanwhile shares the running one; SIGTERM ends it after the run in progress', async () => {
    const router = healthRouter(world);
    const stamps = join(router.dir, 'stamps');
    // While the gate file exists, a run that starts holds there (and says so in `held`).
    const gate = join(router.dir, 'gate');
    const held = join(router.dir, 'held');
    // A run that outlasts the interval: the next must wait for it, not start beside it.
    writeScript(
      router,
      'slow',
      [
        `echo "start $(date +%s%3N)" >> ${stamps}`,
        `if [ -e ${gate} ]; then : > ${held}; while [ -e ${gate} ]; do sleep 0.02; done; fi`,
        'sleep 0.15',
        `echo "end $(date +%s%3N)" >> ${stamps}`,
      ].join('\n'),
    );
    const loop = startCheck(router, ['--every', '100ms', '--json']);
    await waitUntil('two runs of the loop', () => intervals(stamps).length >= 2);
    // A cron check while a run of the loop is in progress takes that run's result. The
    // run is held until the cron check says it waits: between two runs the lock is
    // free for a moment, and a cron check landing there would rightly run on its own.
    writeFileSync(gate, '');
    await waitUntil('a run of the loop to hold at the gate', () => existsSync(held));
    const cronCheck = startCheck(router, []);
    await waitUntil('the cron check to wait for the running one', () => /waiting for its result/.test(cronCheck.stderr()));
    unlinkSync(gate);
    const cron = await cronCheck.stop({ wait: true });
    assert.equal(cron.code, 0, cron.stderr);
    assert.match(cron.stderr, new RegExp(`^carp-ovh: a check is running \\(pid ${loop.pid}, since \\S+\\); waiting for its result\\n$`));
    assert.match(cron.stdout, new RegExp(`^a check was running \\(pid ${loop.pid}\\): its result\\nhealthy `));
    await waitUntil('more runs after the cron check', () => intervals(stamps).length >= 4);
    const { code, stdout } = await loop.stop();
    assert.equal(code, 0);

    const runs = intervals(stamps);
    assert.equal(readFileSync(stamps, 'utf8').trim().split('\n').length, runs.length * 2, 'no run was cut short by SIGTERM');
    for (let i = 1; i < runs.length; i++) {
      const [start] = runs[i] ?? [0, 0];
      const [, previousEnd] = runs[i - 1] ?? [0, 0];
      assert.ok(start >= previousEnd, `run ${i} started at ${start}, before run ${i - 1} ended at ${previousEnd}`);
    }
    // Every loop run printed one JSON line; the last was allowed to finish before exiting.
    const reports = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { healthy: boolean });
    assert.ok(reports.length >= 3, stdout);
    assert.ok(reports.every((r) => r.healthy));
    assert.equal(reports.length, runs.length, "every run was the loop's");
    assert.equal(lastCheck(router)?.healthy, true);
  });

  test('human output only when something changes (daemon(8) sends it to syslog)', async () => {
    const router = healthRouter(world);
    const loop = startCheck(router, ['--every', '100ms']);
    await waitUntil('a first run', () => lastCheck(router) !== null);
    const firstAt = lastCheck(router)?.at;
    await waitUntil('a second run', () => lastCheck(router)?.at !== firstAt);
    writeScript(router, 'broken', 'exit 1');
    await waitUntil('the demotion', () => router.demotion() !== 0);
    const { code, stdout } = await loop.stop();
    assert.equal(code, 0);
    const headers = stdout.split('\n').filter((line) => /^\d{4}-\d\d-\d\dT\S+ (healthy|unhealthy) /.test(line));
    assert.deepEqual(
      headers.map((line) => line.split(' ')[1]),
      ['healthy', 'unhealthy'],
      stdout,
    );
  });

  test('a malformed interval is a usage error', async () => {
    const router = healthRouter(world);
    for (const bad of ['soon', '10', '5ms', '-1s']) {
      const result = await router.cli(['check', '--every', bad]);
      assert.equal(result.code, 2, `${bad}: ${result.stderr}`);
      assert.match(result.stderr, /--every needs a duration/);
    }
  });
});
