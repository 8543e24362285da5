/** `maintenance enter|leave` on a simulated pair: the VIP goes to the peer by the peer's own claim, and comes back. */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { seedState } from '../support/ovh-sim/state.ts';
import { BIT, checkJson, peerOf, reasonsOf } from '../support/health.ts';
import { simulateCarp, type CarpPair } from '../support/pair.ts';
import { holdersOf, SEED_MAC_ROUTER_002, SEED_MAC_ROUTER_003, startWorld, type World } from '../support/world.ts';
import { waitUntil } from '../support/wait.ts';

describe('maintenance', () => {
  let world: World;
  let carp: CarpPair | null = null;
  before(async () => {
    world = await startWorld({ label: 'health-maintenance' });
  });
  afterEach(async () => {
    await carp?.stop();
    carp = null;
  });
  after(() => world.close());

  test('enter: this MASTER steps aside, the peer claims the VIP; leave: it comes back', async () => {
    world.ovh.setState(seedState());
    const r003 = peerOf(world, 'router-003', 'MASTER');
    const r002 = peerOf(world, 'router-002', 'BACKUP');
    carp = simulateCarp(r003, r002);
    assert.deepEqual(holdersOf(world), [SEED_MAC_ROUTER_003]);

    const enter = await r003.cli(['maintenance', 'enter', '--timeout', '15s'], { timeoutMs: 30_000 });
    assert.equal(enter.code, 0, enter.stdout + enter.stderr);
    assert.deepEqual(holdersOf(world), [SEED_MAC_ROUTER_002]);
    assert.equal(carp.master(), r002);
    assert.equal(r003.demotion(), BIT);
    assert.deepEqual(Object.keys(reasonsOf(r003)), ['maintenance']);

    const lines = enter.stdout.trim().split('\n');
    assert.match(lines[0] ?? '', /^net\.inet\.carp\.demotion is 1048576: waiting until this router is BACKUP and OVH routes the VIPs to the peer$/);
    assert.match(lines[1] ?? '', /^\[[\dm.]+s\] 2@vmx1 (MASTER|BACKUP), 51\.68\.252\.230 on 00:50:56:09:98:fc \(this router\)$/);
    assert.match(enter.stdout, /\] 2@vmx1 BACKUP, 51\.68\.252\.230 on 00:50:56:09:3c:f2\n/);
    assert.match(lines.at(-2) ?? '', /^done in \S+: this router is BACKUP and OVH routes the VIPs to the peer$/);
    assert.equal(lines.at(-1), 'this router stays demoted until `carp-ovh maintenance leave`');

    // The peer claimed from its own side, through its own hook.
    await waitUntil("the peer's claim record", () => (r002.lastClaim() as { result?: string } | null)?.result === 'ok');
    assert.equal((r002.lastClaim() as { trigger: string }).trigger, 'hook 2@vmx1 MASTER');
    // A healthy check on the router in maintenance leaves it demoted.
    assert.equal((await checkJson(r003)).report.demotion?.ours, true);

    const leave = await r003.cli(['maintenance', 'leave']);
    assert.equal(leave.code, 0, leave.stderr);
    assert.equal(r003.demotion(), 0);
    await waitUntil('the VIP back on router-003', () => holdersOf(world)[0] === SEED_MAC_ROUTER_003);
    assert.equal(carp.master(), r003);
    assert.deepEqual(r003.kernel.demotionWrites(), [BIT, -BIT]);
    assert.equal(world.ovh.conflicts, 0);
  });

  test('the peer never takes over (no preempt): enter gives up at --timeout, exit 1, still demoted, with a hint', async () => {
    world.ovh.setState(seedState());
    const r003 = peerOf(world, 'router-003', 'MASTER');
    const enter = await r003.cli(['maintenance', 'enter', '--timeout', '400ms']);
    assert.equal(enter.code, 1, enter.stdout + enter.stderr);
    assert.match(enter.stdout, /gave up after \S+: 2@vmx1 MASTER, 51\.68\.252\.230 on 00:50:56:09:98:fc \(this router\)\n/);
    assert.match(enter.stdout, /net\.inet\.carp\.preempt=1/);
    assert.equal(r003.demotion(), BIT);
    const leave = await r003.cli(['maintenance', 'leave']);
    assert.equal(leave.code, 0);
    assert.equal(r003.demotion(), 0);
    const again = await r003.cli(['maintenance', 'leave']);
    assert.match(again.stdout, /^not in maintenance: nothing to leave\n/);
  });

  test('usage errors exit 2', async () => {
    const r003 = peerOf(world, 'router-003', 'MASTER');
    for (const args of [
      ['maintenance'],
      ['maintenance', 'start'],
      ['maintenance', 'enter', '--timeout', 'never'],
      ['maintenance', 'leave', '--timeout', '1s'],
    ]) {
      const result = await r003.cli(args);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
    }
    assert.deepEqual(r003.kernel.demotionWrites(), []);
  });
});
