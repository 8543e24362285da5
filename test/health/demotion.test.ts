/** The demotion the check drives: one write per change, nobody else's bits touched, hysteresis, other owners' reasons kept. */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { advance, settleReasons, type Streak } from '../../src/core/health/hysteresis.ts';
import type { ProbeVerdict } from '../../src/core/health/types.ts';
import type { Reason } from '../../src/core/demotion.ts';
import { BIT, checkJson, freshDemotion, healthRouter, logMessages, readState, reasonsOf, writeScript } from '../support/health.ts';
import { DEMOTION_SYSCTL } from '../support/fake-freebsd/index.ts';
import { startWorld, type World } from '../support/world.ts';

describe('check: demotion', () => {
  let world: World;
  before(async () => {
    world = await startWorld({ label: 'health-demotion' });
  });
  after(() => world.close());

  test('two unhealthy checks write once; recovery writes once back; the log says so OPNsense-style', async () => {
    const router = healthRouter(world);
    const script = writeScript(router, 'ospfd', 'exit 1');
    const first = await checkJson(router);
    const second = await checkJson(router);
    assert.equal(first.result.code, 1);
    assert.equal(second.result.code, 1);
    assert.equal(first.report.demotion?.changed, 'demoted');
    assert.equal(second.report.demotion?.changed, null);
    assert.deepEqual(router.kernel.demotionWrites(), [BIT]);
    assert.ok(logMessages(first.result).includes('carp demoted by 1048576 due to service disruption (services: ospfd)'));
    assert.ok(!logMessages(second.result).some((m) => m.startsWith('carp demoted')), second.context);

    rmSync(script);
    writeScript(router, 'ospfd', 'exit 0');
    const healed = await checkJson(router);
    assert.equal(healed.result.code, 0, healed.context);
    assert.deepEqual(freshDemotion(healed.report), { total: 0, ours: false, changed: 'promoted', reasons: {} });
    assert.deepEqual(router.kernel.demotionWrites(), [BIT, -BIT]);
    assert.ok(logMessages(healed.result).includes('carp promoted by 1048576 due to service recovery'), healed.context);
    assert.ok(logMessages(healed.result).includes('health probe ospfd passes again'), healed.context);
    await checkJson(router);
    assert.deepEqual(router.kernel.demotionWrites(), [BIT, -BIT]);
  });

  test('a foreign demotion of 240 (ifdown) is kept through demote and promote', async () => {
    const router = healthRouter(world);
    router.kernel.setSysctl(DEMOTION_SYSCTL, 240);
    writeScript(router, 'failing', 'exit 1');
    const down = await checkJson(router);
    assert.equal(down.report.demotion?.total, 240 + BIT);
    assert.equal(router.demotion(), 240 + BIT);
    writeScript(router, 'failing', 'exit 0');
    const up = await checkJson(router);
    assert.equal(up.report.demotion?.total, 240);
    assert.equal(router.demotion(), 240);
    assert.deepEqual(router.kernel.demotionWrites(), [BIT, -BIT]);
  });

  test('our bit set with no reason on record (a crash between the write and the file): the check lowers it, and only it', async () => {
    // The bit is the state (docs/health.md): no stale count survives a crash between write and file.
    const router = healthRouter(world);
    router.kernel.setSysctl(DEMOTION_SYSCTL, BIT + 240);
    const { report } = await checkJson(router);
    assert.equal(report.demotion?.changed, 'promoted');
    assert.equal(router.demotion(), 240);
  });

  test('hysteresis: fall 2 / rise 2, streaks kept in the state dir across processes', async () => {
    const router = healthRouter(world, { tuning: { fall: 2, rise: 2 } });
    writeScript(router, 'flappy', 'exit 1');
    const f1 = await checkJson(router);
    assert.equal(f1.result.code, 1, 'unhealthy is reported at once');
    assert.deepEqual(router.kernel.demotionWrites(), [], 'one failure is not enough with fall 2');
    const streak = readState<{ probes: Record<string, Streak> }>(router, 'health.json')?.probes.flappy;
    assert.deepEqual([streak?.ok, streak?.fails, streak?.passes], [false, 1, 0]);
    await checkJson(router);
    assert.deepEqual(router.kernel.demotionWrites(), [BIT]);
    writeScript(router, 'flappy', 'exit 0');
    const p1 = await checkJson(router);
    assert.equal(p1.result.code, 0);
    assert.deepEqual(Object.keys(p1.report.demotion?.reasons ?? {}), ['flappy'], 'one pass is not enough with rise 2');
    assert.deepEqual(router.kernel.demotionWrites(), [BIT]);
    await checkJson(router);
    assert.deepEqual(router.kernel.demotionWrites(), [BIT, -BIT]);
  });

  test("maintenance is not the check's to clear: a healthy check keeps it; leave clears it", async () => {
    const router = healthRouter(world);
    // BACKUP already and the VIP on the peer: enter has nothing to wait for.
    const enter = await router.cli(['maintenance', 'enter', '--timeout', '5s']);
    assert.equal(enter.code, 0, enter.stdout + enter.stderr);
    const { result, report } = await checkJson(router);
    assert.equal(result.code, 0);
    assert.deepEqual(Object.keys(report.demotion?.reasons ?? {}), ['maintenance']);
    assert.equal(router.demotion(), BIT);
    const leave = await router.cli(['maintenance', 'leave']);
    assert.equal(leave.code, 0, leave.stderr);
    assert.match(leave.stdout, /^maintenance left\ndemotion: net\.inet\.carp\.demotion 0, carp-ovh bit clear \(promoted now\)\n$/);
    assert.deepEqual(router.kernel.demotionWrites(), [BIT, -BIT]);
    assert.deepEqual(reasonsOf(router), {});
  });
});

describe('hysteresis rules (in process)', () => {
  const verdict = (name: string, ok: boolean, extra: Partial<ProbeVerdict> = {}): ProbeVerdict => ({
    name,
    ok,
    detail: ok ? 'fine' : 'broken',
    durationMs: 1,
    ...extra,
  });
  const limits = { fall: 1, rise: 1 };

  test('a probe that did not run keeps its streak and its reason', () => {
    const previous: Record<string, Streak> = { 'ovh-api': { ok: false, fails: 3, passes: 0, since: 'x' } };
    const { streaks } = advance(previous, [verdict('ovh-api', false, { skipped: true })], 'now');
    assert.deepEqual(streaks['ovh-api'], previous['ovh-api']);
    const reasons: Record<string, Reason> = { 'ovh-api': { since: 'x', detail: 'broken', by: 'check' } };
    settleReasons(reasons, [verdict('ovh-api', false, { skipped: true })], streaks, limits, 'now');
    assert.deepEqual(Object.keys(reasons), ['ovh-api']);
  });

  test("a removed script takes its reason along; other owners' reasons stay", () => {
    const reasons: Record<string, Reason> = {
      gone: { since: 'x', detail: 'broken', by: 'check' },
      claim: { since: 'x', detail: 'claim failed' },
      maintenance: { since: 'x', detail: 'planned' },
    };
    const { streaks } = advance({}, [verdict('claim', true)], 'now');
    settleReasons(reasons, [verdict('claim', true)], streaks, limits, 'now');
    assert.deepEqual(Object.keys(reasons).sort(), ['claim', 'maintenance']);
  });

  test("a failure whose reason another owner holds adds no reason of the check's", () => {
    const reasons: Record<string, Reason> = {};
    const results = [verdict('claim', false, { reasonHeldElsewhere: true })];
    settleReasons(reasons, results, advance({}, results, 'now').streaks, limits, 'now');
    assert.deepEqual(reasons, {});
  });
});
