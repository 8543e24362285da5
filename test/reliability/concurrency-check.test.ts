/**
 * `check` runs from cron or a `--every` loop, and devd may run the hook at the
 * same moment: two checks at once write the demotion once, and a hook during a
 * check's repair moves the VIP once, without a 409.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BIT, checkJson, healthRouter, reasonsOf, writeScript } from '../support/health.ts';
import { seedState } from '../support/ovh-sim/state.ts';
import { waitUntil } from '../support/wait.ts';
import { holdersOf, SEED_MAC_ROUTER_002, startWorld, type World } from '../support/world.ts';

describe('concurrent checks and hooks', () => {
  let world: World;
  before(async () => {
    world = await startWorld({ label: 'concurrent-check', ovh: { delays: { delete: 150, add: 150 } } });
  });
  after(() => world.close());

  test('two checks at once, three times over: one demotion write per change', async () => {
    const router = healthRouter(world);
    for (let round = 0; round < 3; round++) {
      writeScript(router, 'ospfd', 'exit 1');
      const down = await Promise.all([checkJson(router), checkJson(router)]);
      for (const run of down) assert.equal(run.result.code, 1, run.context);
      assert.equal(router.demotion(), BIT);
      assert.deepEqual(router.kernel.demotionWrites().length, 2 * round + 1, 'one write for the two checks');
      // The checks take turns (a check lock): the one that waited answers with the other's report.
      assert.ok(down.every((run) => run.report.at === down[0]?.report.at) || down.filter((run) => run.report.demotion?.changed === 'demoted').length === 1);

      writeScript(router, 'ospfd', 'exit 0');
      const up = await Promise.all([checkJson(router), checkJson(router)]);
      for (const run of up) assert.equal(run.result.code, 0, run.context);
      assert.equal(router.demotion(), 0);
    }
    assert.deepEqual(router.kernel.demotionWrites(), [BIT, -BIT, BIT, -BIT, BIT, -BIT]);
  });

  test('a failing claim and a failing check at once: two reasons, one demotion write', async () => {
    world.ovh.setState(seedState());
    const router = healthRouter(world, { state: 'MASTER' });
    writeScript(router, 'ospfd', 'sleep 0.2; exit 1');
    world.ovh.addFault({
      method: 'DELETE',
      path: '/dedicated/server/*/virtualMac/*/virtualAddress/*',
      action: { type: 'status', status: 403, errorCode: 'NOT_GRANTED_CALL', message: 'This call has not been granted' },
    });
    try {
      const [checked, hook] = await Promise.all([checkJson(router), router.hook('MASTER', { wait: true })]);
      assert.equal(hook.code, 1, hook.stderr);
      assert.equal(checked.result.code, 1, checked.context);
    } finally {
      world.ovh.clearFaults();
    }
    assert.equal(router.demotion(), BIT);
    assert.deepEqual(router.kernel.demotionWrites(), [BIT]);
    assert.deepEqual(Object.keys(reasonsOf(router)).sort(), ['claim', 'ospfd']);
  });

  test('a hook while a check repairs the same VIP: one move, no 409, both succeed', async () => {
    world.ovh.setState(seedState());
    world.ovh.clearLog();
    // MASTER here while OVH routes the VIP to the peer: the check's claim probe repairs it.
    const router = healthRouter(world, { state: 'MASTER' });
    const check = checkJson(router);
    // The hook comes once the check's repair is under way (its DELETE reached OVH).
    await waitUntil("the check's repair to reach OVH", () => world.ovh.requests().some((r) => r.method === 'DELETE'), {
      seen: () => world.ovh.requests().map((r) => `${r.method} ${r.path}`),
    });
    const hook = await router.hook('MASTER', { wait: true });
    const checked = await check;
    assert.equal(hook.code, 0, hook.stderr);
    assert.equal(checked.result.code, 0, checked.context);
    await world.ovh.waitForTasks();
    assert.deepEqual(holdersOf(world), [SEED_MAC_ROUTER_002]);
    assert.equal(world.ovh.conflicts, 0);
    const mutations = world.ovh.requests().filter((r) => r.method === 'POST' || r.method === 'DELETE');
    assert.deepEqual(
      mutations.map((m) => m.method),
      ['DELETE', 'POST'],
      'the VIP was moved once, by one of the two',
    );
    assert.equal(router.demotion(), 0);
    assert.deepEqual(router.kernel.demotionWrites(), []);
  });
});
