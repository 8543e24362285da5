/** `carp-ovh reconcile` and the `claim` demotion reason across claims. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { seedState } from '../support/ovh-sim/state.ts';
import { holdersOf, seedPair, SEED_MAC_ROUTER_002, SEED_MAC_ROUTER_003, startWorld, type World } from '../support/world.ts';
import { waitUntil } from '../support/wait.ts';

describe('reconcile and the claim reason', () => {
  let world: World;
  before(async () => {
    world = await startWorld({ label: 'reconcile', ovh: { delays: { delete: 50, add: 50 } } });
  });
  after(() => world.close());

  test('reconcile --wait claims the vhids that are MASTER here, and only those', async () => {
    world.ovh.setState(seedState());
    const { r002, r003 } = seedPair(world);
    world.ovh.clearLog();
    const idle = await r002.cli(['reconcile', '--wait']);
    assert.equal(idle.code, 0, idle.stderr);
    assert.match(idle.stdout, /claim nothing-to-do/);
    assert.equal(world.ovh.requests().length, 0, 'BACKUP here: not one OVH call');

    r002.setState('MASTER');
    r003.setState('BACKUP');
    const claimed = await r002.cli(['reconcile', '--wait']);
    assert.equal(claimed.code, 0, claimed.stderr);
    assert.deepEqual(holdersOf(world), [SEED_MAC_ROUTER_002]);
    assert.equal((r002.lastClaim() as { trigger: string }).trigger, 'reconcile');
  });

  test('reconcile without --wait returns at once; the detached worker logs to log.file with syslog off', async () => {
    world.ovh.setState(seedState());
    const { r002 } = seedPair(world);
    r002.setState('MASTER');
    const result = await r002.cli(['reconcile']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, '');
    // The worker it started has ended: its outcome and log are complete.
    await r002.workersDone();
    assert.equal((r002.lastClaim() as { result?: string } | null)?.result, 'ok', JSON.stringify(r002.lastClaim()));
    assert.deepEqual(holdersOf(world), [SEED_MAC_ROUTER_002]);
    const lines = readFileSync(r002.logFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { msg: string; component: string });
    assert.ok(lines.some((l) => l.msg.startsWith('claim finished successfully')));
    assert.ok(lines.every((l) => l.component === 'reconcile'));
  });

  test('a failed claim raises the bit at once; a later successful claim lowers it; a foreign 240 is kept', async () => {
    world.ovh.setState(seedState());
    const { r002 } = seedPair(world);
    r002.kernel.setSysctl('net.inet.carp.demotion', 240);
    r002.setState('MASTER');
    world.ovh.addFault({
      method: 'DELETE',
      path: '/dedicated/server/*/virtualMac/*/virtualAddress/*',
      action: { type: 'status', status: 403, errorCode: 'NOT_GRANTED_CALL', message: 'This call has not been granted' },
    });
    const failed = await r002.hook('MASTER', { wait: true });
    world.ovh.clearFaults();
    assert.equal(failed.code, 1);
    assert.equal(r002.demotion(), 240 + 1_048_576);
    assert.deepEqual(holdersOf(world), [SEED_MAC_ROUTER_003]);
    assert.match(failed.stderr, /carp demoted by 1048576 due to service disruption \(services: claim\)/);

    const again = await r002.hook('MASTER', { wait: true });
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(holdersOf(world), [SEED_MAC_ROUTER_002]);
    assert.equal(r002.demotion(), 240);
    assert.deepEqual(r002.kernel.demotionWrites(), [1_048_576, -1_048_576]);
    assert.match(again.stderr, /carp promoted by 1048576 due to service recovery/);
  });

  test('a claim killed between DELETE and POST: the next reconcile re-attaches the VIP here', async () => {
    world.ovh.setState(seedState());
    world.ovh.setDelays({ delete: 400, add: 50 });
    try {
      const { r002 } = seedPair(world);
      r002.setState('MASTER');
      world.ovh.clearLog();
      const { spawn } = await import('node:child_process');
      const { CLI_PATH } = await import('../support/cli.ts');
      const child = spawn(process.execPath, [CLI_PATH, '--config', r002.configPath, 'hook', '2@vmx1', 'MASTER', '--wait'], { stdio: 'ignore' });
      await waitUntil('the DELETE', () => world.ovh.requests().some((r) => r.method === 'DELETE' && r.status < 300));
      child.kill('SIGKILL');
      await new Promise((resolve) => child.on('close', resolve));
      await world.ovh.waitForTasks();
      assert.deepEqual(holdersOf(world), [], 'the VIP is detached: the state a crash must not leave behind');

      const repaired = await r002.cli(['reconcile', '--wait']);
      assert.equal(repaired.code, 0, repaired.stderr);
      assert.deepEqual(holdersOf(world), [SEED_MAC_ROUTER_002]);
      assert.equal(world.ovh.conflicts, 0);
    } finally {
      world.ovh.setDelays({ delete: 50, add: 50 });
    }
  });
});
