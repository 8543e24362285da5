/**
 * The devd MASTER hook end to end: the real CLI as a subprocess, the OVH and
 * Vault stand-ins over HTTPS, a fake FreeBSD kernel per router.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { holdersOf, seedPair, stderrLines, SEED_MAC_ROUTER_002, SEED_MAC_ROUTER_003, SEED_SERVER, SEED_VIP, startWorld, type World } from '../support/world.ts';
import { waitUntil } from '../support/wait.ts';

const SECOND_VIP = '51.68.252.231';

function messages(lines: Array<Record<string, unknown>>): string[] {
  return lines.map((line) => String(line.msg));
}

function mutations(world: World): Array<{ method: string; path: string }> {
  return world.ovh.requests().filter((r) => r.method === 'POST' || r.method === 'DELETE');
}

describe('hook MASTER: moving the VIP', () => {
  let world: World;
  before(async () => {
    world = await startWorld({ label: 'hook-move', ovh: { delays: { delete: 120, add: 120 } } });
  });
  after(() => world.close());

  test('from the peer vMAC to ours, with the seed-like log and the outcome recorded', async () => {
    const { r002 } = seedPair(world);
    r002.setState('MASTER');
    assert.deepEqual(holdersOf(world), [SEED_MAC_ROUTER_003]);
    const result = await r002.hook('MASTER', { wait: true });
    assert.equal(result.code, 0, result.stderr + result.stdout);
    assert.deepEqual(holdersOf(world), [SEED_MAC_ROUTER_002]);
    assert.match(result.stdout, /claim ok in [\d.]+s/);
    assert.match(result.stdout, /51\.68\.252\.230: moved \(was on 00:50:56:09:98:fc\)/);

    const log = messages(stderrLines(result.stderr));
    const expected = [
      /^CARP event: 2@vmx1 is MASTER, claiming 51\.68\.252\.230$/,
      /^Detected MAC on vmx1: 00:50:56:09:3c:f2$/,
      /^51\.68\.252\.230 is on 00:50:56:09:98:fc \(with 51\.68\.252\.230, 178\.32\.70\.111\)$/,
      /^Deleting 51\.68\.252\.230 from 00:50:56:09:98:fc$/,
      /^DELETE accepted \(task \d+\)$/,
      /^51\.68\.252\.230 removed from 00:50:56:09:98:fc after [\dm.]+s$/,
      /^Adding 51\.68\.252\.230 to 00:50:56:09:3c:f2$/,
      /^POST accepted \(task \d+\)$/,
      /^51\.68\.252\.230 attached to 00:50:56:09:3c:f2 after [\dm.]+s$/,
      /^claim finished successfully in /,
    ];
    let at = 0;
    for (const pattern of expected) {
      const found = log.findIndex((line, index) => index >= at && pattern.test(line));
      assert.ok(found >= 0, `missing or out of order: ${pattern} in\n${log.join('\n')}`);
      at = found + 1;
    }
    // OVH learns the VM name the config gives.
    assert.equal(world.ovh.state().dedicated[SEED_SERVER]?.virtualMacs[SEED_MAC_ROUTER_002]?.ips[SEED_VIP], 'router-002');

    const claim = r002.lastClaim() as {
      result: string;
      trigger: string;
      vhids: Array<{ addresses: Array<{ result: string; from: string; steps: Array<{ step: string; ms: number }> }> }>;
    };
    assert.equal(claim.result, 'ok');
    assert.equal(claim.trigger, 'hook 2@vmx1 MASTER');
    const address = claim.vhids[0]?.addresses[0];
    assert.equal(address?.result, 'moved');
    assert.equal(address?.from, SEED_MAC_ROUTER_003);
    assert.deepEqual(
      address?.steps.map((s) => s.step),
      ['locate', 'detach', 'wait-gone', 'attach', 'wait-visible'],
    );
    // Each change and its wait together span at least the simulated task delay (120 ms from
    // OVH's acceptance): the claim waited for OVH, not for a guess. The wait alone can be
    // shorter on a loaded machine, where the claim reaches it late after the acceptance.
    const spent = (step: string) => address?.steps.find((s) => s.step === step)?.ms ?? 0;
    assert.ok(spent('detach') + spent('wait-gone') >= 100, JSON.stringify(address?.steps));
    assert.ok(spent('attach') + spent('wait-visible') >= 100, JSON.stringify(address?.steps));
    assert.equal(r002.demotion(), 0);
    assert.deepEqual(r002.kernel.demotionWrites(), []);
    assert.equal(world.ovh.conflicts, 0);
  });

  test('already on our MAC: nothing to do, no mutation', async () => {
    const { r002 } = seedPair(world);
    r002.setState('MASTER');
    world.ovh.clearLog();
    const result = await r002.hook('MASTER', { wait: true });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(mutations(world), []);
    assert.match(result.stdout, /already-here/);
    assert.ok(messages(stderrLines(result.stderr)).some((m) => m === '51.68.252.230 is already on 00:50:56:09:3c:f2: nothing to do'));
    // One request settles the common case: our own vMAC's list.
    assert.deepEqual(
      world.ovh
        .requests()
        .filter((r) => r.path.includes('/dedicated/'))
        .map((r) => `${r.method} ${r.path}`),
      [`GET /1.0/dedicated/server/${SEED_SERVER}/virtualMac/${SEED_MAC_ROUTER_002}/virtualAddress`],
    );
  });
});

describe('hook BACKUP/INIT and state checks', () => {
  let world: World;
  before(async () => {
    world = await startWorld({ label: 'hook-backup' });
  });
  after(() => world.close());

  for (const type of ['BACKUP', 'INIT', 'backup']) {
    test(`${type}: logged as not MASTER, exit 0, no OVH call`, async () => {
      const { r002 } = seedPair(world);
      world.ovh.clearLog();
      const result = await r002.hook(type, { wait: true });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(world.ovh.requests().length, 0);
      assert.ok(messages(stderrLines(result.stderr)).some((m) => m === `2@vmx1 is ${type.toUpperCase()}: not MASTER, nothing to do`));
    });
  }

  test('a MASTER event while the kernel says BACKUP: no OVH call, exit 0', async () => {
    const { r002 } = seedPair(world);
    world.ovh.clearLog();
    const result = await r002.hook('MASTER', { wait: true });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(world.ovh.requests().length, 0);
    assert.equal(world.vault.counters.logins, 0);
    assert.ok(messages(stderrLines(result.stderr)).some((m) => m === '2@vmx1 is BACKUP, not MASTER: nothing to claim'));
    assert.deepEqual(holdersOf(world), [SEED_MAC_ROUTER_003]);
  });

  test('a well-formed vhid@iface the config does not name: logged, exit 0, no OVH call', async () => {
    const { r002 } = seedPair(world);
    world.ovh.clearLog();
    const result = await r002.hook('MASTER', { wait: true, subsystem: '7@em0' });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(world.ovh.requests().length, 0);
    assert.ok(messages(stderrLines(result.stderr)).some((m) => m === 'CARP event for 7@em0 (MASTER): not in the config, ignoring'));
  });
});

describe('hook: timing, supersession, parallel addresses', () => {
  let world: World;
  before(async () => {
    world = await startWorld({ label: 'hook-timing', ovh: { delays: { delete: 300, add: 300 } } });
  });
  after(() => world.close());

  test('without --wait the hook returns at once and the claim completes in the background', async () => {
    world.ovh.setState({ dedicated: world.ovh.state().dedicated }); // keep the seed placement
    // Each OVH task takes 2 s here, so the claim lasts at least 4 s after its
    // worker started: a hook that waited for it could not return before it ends.
    world.ovh.setDelays({ delete: 2000, add: 2000 });
    try {
      const { r002 } = seedPair(world);
      r002.setState('MASTER');
      const result = await r002.hook('MASTER');
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, '');
      // The hook is gone and the claim has not ended: no outcome recorded, the VIP not moved yet.
      assert.equal(r002.lastClaim(), null, 'the claim ended before the hook returned: the hook waited for it');
      assert.deepEqual(holdersOf(world), [SEED_MAC_ROUTER_003]);
      await r002.workersDone();
      assert.equal((r002.lastClaim() as { result?: string } | null)?.result, 'ok', JSON.stringify(r002.lastClaim()));
      await world.ovh.waitForTasks();
      assert.deepEqual(holdersOf(world), [SEED_MAC_ROUTER_002]);
    } finally {
      world.ovh.setDelays({ delete: 300, add: 300 });
    }
  });

  test('becoming BACKUP in the middle of a move: the claim stops, no attach afterwards, no demotion', async () => {
    const { r002, r003 } = seedPair(world);
    // Put the VIP back on router-003 first.
    r003.setState('MASTER');
    r002.setState('BACKUP');
    assert.equal((await r003.hook('MASTER', { wait: true })).code, 0);
    world.ovh.clearLog();

    r002.setState('MASTER');
    const running = r002.hook('MASTER', { wait: true });
    await waitUntil('the DELETE', () => mutations(world).some((m) => m.method === 'DELETE'));
    r002.setState('BACKUP');
    const result = await running;
    assert.equal(result.code, 0, result.stderr + result.stdout);
    assert.deepEqual(
      mutations(world).map((m) => m.method),
      ['DELETE'],
    );
    await world.ovh.waitForTasks();
    assert.deepEqual(holdersOf(world), [], 'detached, and left for the new MASTER to claim');
    assert.match(result.stdout, /cancelled/);
    assert.equal(r002.demotion(), 0);
    // The new MASTER (router-003 again) claims it back from nowhere.
    r003.setState('MASTER');
    const back = await r003.hook('MASTER', { wait: true });
    assert.equal(back.code, 0, back.stderr);
    assert.deepEqual(holdersOf(world), [SEED_MAC_ROUTER_003]);
    assert.equal(world.ovh.conflicts, 0);
  });

  test('MASTER/BACKUP/MASTER in quick succession: no 409, the end state follows the last event', async () => {
    const { r002, r003 } = seedPair(world);
    r003.setState('MASTER');
    r002.setState('BACKUP');
    assert.equal((await r003.hook('MASTER', { wait: true })).code, 0);
    assert.deepEqual(holdersOf(world), [SEED_MAC_ROUTER_003]);
    world.ovh.clearLog();

    r002.setState('MASTER');
    assert.equal((await r002.hook('MASTER')).code, 0);
    await waitUntil('the first DELETE', () => mutations(world).some((m) => m.method === 'DELETE'));
    r002.setState('BACKUP');
    assert.equal((await r002.hook('BACKUP')).code, 0);
    r002.setState('MASTER');
    assert.equal((await r002.hook('MASTER')).code, 0);

    // All three hooks returned: their workers are running or gone. Once they all ended, the claim is final.
    await r002.workersDone();
    assert.equal((r002.lastClaim() as { result?: string } | null)?.result, 'ok', JSON.stringify(r002.lastClaim()));
    await world.ovh.waitForTasks();
    assert.equal(world.ovh.conflicts, 0);
    assert.deepEqual(holdersOf(world), [SEED_MAC_ROUTER_002]);
    assert.deepEqual(
      mutations(world).map((m) => m.method),
      ['DELETE', 'POST'],
    );
  });

  test('two addresses on one vhid are moved in parallel', async () => {
    const state = world.ovh.state();
    const server = state.dedicated[SEED_SERVER];
    assert.ok(server);
    for (const mac of Object.keys(server.virtualMacs)) delete server.virtualMacs[mac]?.ips[SECOND_VIP];
    server.virtualMacs[SEED_MAC_ROUTER_003] = { type: 'vmware', ips: { [SEED_VIP]: 'router-003', [SECOND_VIP]: 'router-003', '178.32.70.111': 'router-003' } };
    server.virtualMacs[SEED_MAC_ROUTER_002] = { type: 'vmware', ips: { '178.32.70.110': 'router-002' } };
    world.ovh.setState({ dedicated: state.dedicated });
    world.ovh.clearLog();

    const r = world.router({ name: 'router-002-two', mac: SEED_MAC_ROUTER_002, ownAddress: '178.32.70.110', state: 'MASTER', vips: [SEED_VIP, SECOND_VIP] });
    const result = await r.hook('MASTER', { wait: true });
    assert.equal(result.code, 0, result.stderr + result.stdout);
    assert.deepEqual(holdersOf(world, SEED_VIP), [SEED_MAC_ROUTER_002]);
    assert.deepEqual(holdersOf(world, SECOND_VIP), [SEED_MAC_ROUTER_002]);
    const order = mutations(world).map((m) => m.method);
    // Sequential moves would interleave DELETE, POST, DELETE, POST.
    assert.deepEqual(order, ['DELETE', 'DELETE', 'POST', 'POST'], 'both detached before either was attached');
  });
});
