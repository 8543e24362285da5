/**
 * Flapping: 20 alternating MASTER/BACKUP events, most 150 ms apart, on a router pair, each
 * handed to a detached worker the way devd runs the hook, with the fake kernels
 * flipped as CARP would. One claim at a time per router (the claim lock), never
 * a 409 from OVH, and the VIP ends where the last state says.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import type { CliResult } from '../support/cli.ts';
import { claimStarted, claimWindows, lockPid, overlaps, workerLines } from '../support/reliability-logs.ts';
import { seedState } from '../support/ovh-sim/state.ts';
import { waitUntil } from '../support/wait.ts';
import { holdersOf, seedPair, SEED_MAC_ROUTER_002, SEED_MAC_ROUTER_003, SEED_SERVER, SEED_VIP, startWorld, type Router, type World } from '../support/world.ts';

const EVENTS = 20;
/**
 * From event i to event i+1: milliseconds (3.8 s in all), mostly too short for
 * a claim to reach OVH, with a few MASTER spells long enough to start a move or
 * finish one, so claims are cut short at every step. One spell of router-002 as
 * MASTER lasts until one of its workers holds the claim lock: on a loaded
 * machine a worker may need longer than any fixed spell to start, and then
 * router-002 would never claim at all and its mutual exclusion go untested.
 */
const UNTIL_ROUTER_002_CLAIMS = 'until router-002 claims';
const GAPS: Array<number | typeof UNTIL_ROUTER_002_CLAIMS> = [
  150,
  150,
  UNTIL_ROUTER_002_CLAIMS,
  150,
  150,
  600,
  150,
  150,
  500,
  150,
  150,
  150,
  150,
  150,
  450,
  150,
  150,
  150,
  150,
];

function mutations(world: World): Array<{ method: string; path: string; time: number; status: number }> {
  return world.ovh.requests().filter((r) => r.method === 'POST' || r.method === 'DELETE');
}

/** The holders seen in turn: a pid that comes back after another one held the lock broke mutual exclusion. */
function runsOf(samples: number[]): number[] {
  const runs: number[] = [];
  for (const pid of samples) if (runs.at(-1) !== pid) runs.push(pid);
  return runs;
}

describe('flapping: 20 alternating events, most 150 ms apart, detached workers', () => {
  let world: World;
  before(async () => {
    // A move takes ~400 ms at this OVH: most events arrive while a claim is mid-move.
    world = await startWorld({ label: 'flapping', ovh: { delays: { delete: 150, add: 150 } } });
  });
  after(() => world.close());

  test('one claim at a time per router, no 409, the VIP ends on the last MASTER', async () => {
    // The storm starts just as router-003 won an election, before it claimed: OVH
    // still routes the VIP to router-002. The last event leaves router-003 MASTER,
    // so the VIP has to move at least once, whatever the timing.
    const state = seedState();
    const vmacs = state.dedicated[SEED_SERVER]?.virtualMacs;
    assert.ok(vmacs?.[SEED_MAC_ROUTER_002] !== undefined && vmacs[SEED_MAC_ROUTER_003] !== undefined);
    delete vmacs[SEED_MAC_ROUTER_003].ips[SEED_VIP];
    vmacs[SEED_MAC_ROUTER_002].ips[SEED_VIP] = 'router-002';
    world.ovh.setState(state);
    const { r002, r003 } = seedPair(world);
    assert.deepEqual(holdersOf(world), [SEED_MAC_ROUTER_002]);
    world.ovh.clearLog();
    const samples = new Map<Router, number[]>([
      [r002, []],
      [r003, []],
    ]);
    const sampler = setInterval(() => {
      for (const [router, seen] of samples) {
        const pid = lockPid(router);
        if (pid !== null) seen.push(pid);
      }
    }, 5);

    try {
      // The kernels flip on schedule; devd runs each router's hooks one at a time,
      // so a router's hook for event i waits for its hook for event i-1. The
      // schedule is the scenario (events closer together than a claim takes), so
      // it follows the clock; nothing below waits on the clock.
      let next = performance.now();
      const chains = new Map<Router, Promise<void>>([
        [r002, Promise.resolve()],
        [r003, Promise.resolve()],
      ]);
      const hooks: CliResult[] = [];
      for (let i = 0; i < EVENTS; i++) {
        const gap = GAPS[i - 1];
        if (gap === UNTIL_ROUTER_002_CLAIMS) {
          await waitUntil('a worker of router-002 to take the claim lock', () => claimStarted(r002), { timeoutMs: 60_000 });
          next = performance.now();
        } else if (gap !== undefined) {
          next += gap;
          await delay(Math.max(0, next - performance.now()));
        }
        // Event i: router-002 becomes MASTER on even i, BACKUP on odd i; router-003 the opposite.
        const [master, backup] = i % 2 === 0 ? [r002, r003] : [r003, r002];
        backup.setState('BACKUP');
        master.setState('MASTER');
        for (const [router, type] of [
          [backup, 'BACKUP'],
          [master, 'MASTER'],
        ] as const) {
          chains.set(
            router,
            (chains.get(router) ?? Promise.resolve()).then(async () => void hooks.push(await router.hook(type))),
          );
        }
      }
      await Promise.all(chains.values());
      assert.equal(hooks.length, 2 * EVENTS);
      for (const hook of hooks) {
        assert.equal(hook.code, 0, hook.stderr);
        // devd waits for each hook: it hands the claim on rather than waiting for
        // it (a claim here takes seconds; test/hook/hook-claim.test.ts shows the
        // hook is gone before its claim ends). The bound only catches a hook that
        // waits for a lock or a claim, and holds on a loaded machine.
        assert.ok(hook.durationMs < 10_000, `a hook returned after ${Math.round(hook.durationMs)} ms: devd waits for it`);
      }

      // Every hook has returned, so every worker it handed an event to is
      // running or gone: wait for all of them, then for OVH's last task. Only
      // then is the end state final and every worker's log complete.
      await Promise.all([r002.workersDone(), r003.workersDone()]);
      await world.ovh.waitForTasks();
    } finally {
      clearInterval(sampler);
    }

    assert.deepEqual(holdersOf(world), [SEED_MAC_ROUTER_003], 'the final placement follows the final state');
    assert.equal(world.ovh.conflicts, 0, 'OVH never answered 409');
    const sent = mutations(world);
    assert.ok(
      sent.some((m) => m.method === 'DELETE' && m.path.includes(SEED_MAC_ROUTER_002)),
      'the VIP was taken off router-002',
    );
    assert.ok(
      sent.some((m) => m.method === 'POST' && m.path.includes(SEED_MAC_ROUTER_003)),
      'and attached to router-003',
    );
    assert.ok(
      sent.every((m) => m.status < 300),
      `every mutation was accepted: ${JSON.stringify(sent.filter((m) => m.status >= 300))}`,
    );

    for (const router of [r002, r003]) {
      const windows = claimWindows(workerLines(router));
      assert.ok(windows.length > 0, `${router.name}: no worker claimed`);
      assert.deepEqual(overlaps(windows), [], `${router.name}: two workers claimed at the same time`);
      const runs = runsOf(samples.get(router) ?? []);
      assert.equal(new Set(runs).size, runs.length, `${router.name}: a lock holder came back after another held it: ${runs.join(' ')}`);
      // Every worker of every event finished: nothing left holding the lock.
      assert.equal(lockPid(router), null);
    }
    // A demotion would mean a claim failed: flapping alone must not cause one.
    assert.equal(r002.demotion(), 0, JSON.stringify(r002.lastClaim()));
    assert.equal(r003.demotion(), 0, JSON.stringify(r003.lastClaim()));
    assert.equal((r003.lastClaim() as { result?: string } | null)?.result, 'ok');
  });
});
