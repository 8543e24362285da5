/** Service-status scripts (OPNsense layout): parallel, no shell, killed with their process group on timeout. */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BIT, checkJson, healthRouter, logMessages, probe, writeScript } from '../support/health.ts';
import { startWorld, type World } from '../support/world.ts';
import { waitUntil } from '../support/wait.ts';

/** Gone, or a zombie nobody has reaped yet (a container's init may never): either way it runs no more. */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

describe('check: service scripts', () => {
  let world: World;
  before(async () => {
    world = await startWorld({ label: 'health-scripts' });
  });
  after(() => world.close());

  test('a failing script: its name is the reason, its last line the detail', async () => {
    const router = healthRouter(world);
    writeScript(router, 'routing', 'echo "checking bgp"\necho "bgpd is not running" >&2\nexit 3');
    writeScript(router, 'dns', 'exit 0');
    const { result, report, context } = await checkJson(router);
    assert.equal(result.code, 1, context);
    assert.deepEqual(probe(report, 'routing'), { ...probe(report, 'routing'), ok: false, detail: 'exit 3: bgpd is not running' });
    assert.equal(probe(report, 'dns').ok, true);
    assert.deepEqual(Object.keys(report.demotion?.reasons ?? {}), ['routing']);
    assert.deepEqual(router.kernel.demotionWrites(), [BIT]);
    assert.ok(logMessages(result).includes('carp demoted by 1048576 due to service disruption (services: routing)'), context);
  });

  test('a hanging script is killed with its whole process group at health.script_timeout', async () => {
    const router = healthRouter(world, { tuning: { script_timeout: '500ms' } });
    const pids = join(router.dir, 'pids');
    // The grandchild is what a plain kill of the script would leave behind.
    writeScript(router, 'stuck', `sleep 30 &\necho $! > ${pids}\necho $$ >> ${pids}\nwait`);
    const { result, report, context } = await checkJson(router);
    assert.equal(result.code, 1, context);
    const stuck = probe(report, 'stuck');
    assert.equal(stuck.detail, 'still running after 500ms (health.script_timeout): killed with its process group');
    // Killed at the timeout, not before; the upper bounds tell "killed" from "waited 30 s for it", under any load.
    assert.ok(stuck.durationMs >= 450 && stuck.durationMs < 15_000, `took ${stuck.durationMs} ms`);
    assert.ok(result.durationMs < 25_000, `the check took ${result.durationMs} ms`);
    const [grandchild, script] = readFileSync(pids, 'utf8').trim().split('\n').map(Number);
    assert.ok(grandchild !== undefined && script !== undefined && grandchild > 0 && script > 0);
    await waitUntil('the script and its grandchild to be gone', () => !running(grandchild) && !running(script));
  });

  test('scripts run in parallel: five sleeping 2 s are all running at once', async () => {
    const router = healthRouter(world);
    const marks = join(router.dir, 'marks');
    // Each script notes when it starts and ends, in one file, in the order it happens.
    for (let i = 1; i <= 5; i++) writeScript(router, `slow-${i}`, `echo start >> ${marks}\nsleep 2\necho end >> ${marks}`);
    const { result, report, context } = await checkJson(router);
    assert.equal(result.code, 0, context);
    assert.equal(report.probes.filter((p) => p.name.startsWith('slow-')).length, 5);
    // Run one after the other, the first would end before the second starts.
    const order = readFileSync(marks, 'utf8').trim().split('\n');
    assert.deepEqual(order, [...Array(5).fill('start'), ...Array(5).fill('end')], 'all five started before the first ended');
  });

  test('what is not run: non-executables, dotfiles, our own OPNsense wrappers; a built-in name gets a prefix', async () => {
    const router = healthRouter(world);
    writeScript(router, 'README', 'exit 1', 0o644);
    writeScript(router, '.hidden', 'exit 1');
    writeScript(router, 'carp-ovh-vault', 'exit 1');
    writeScript(router, 'vault', 'echo site vault check failed; exit 1');
    const { result, report, context } = await checkJson(router);
    assert.equal(result.code, 1, context);
    assert.deepEqual(
      report.probes.map((p) => p.name),
      ['vault', 'ovh-api', 'claim', 'script:vault'],
    );
    assert.equal(probe(report, 'vault').ok, true);
    assert.equal(probe(report, 'script:vault').detail, 'exit 1: site vault check failed');
    assert.deepEqual(Object.keys(report.demotion?.reasons ?? {}), ['script:vault']);
  });

  test('no scripts directory: nothing to run, healthy', async () => {
    const router = healthRouter(world);
    rmSync(join(router.dir, 'service-status.d'), { recursive: true });
    const { result, report, context } = await checkJson(router);
    assert.equal(result.code, 0, context);
    assert.equal(report.probes.length, 3);
    assert.ok(!existsSync(join(router.dir, 'service-status.d')));
  });
});
