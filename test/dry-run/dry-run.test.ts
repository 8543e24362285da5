/**
 * `reconcile --dry-run` and `hook … --dry-run`: the reads are real, the plan is
 * printed in order, and nothing mutating reaches OVH (the simulator's request log
 * proves it), nor is anything written to the state dir or the demotion.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { seedState } from '../support/ovh-sim/state.ts';
import { SEED_MAC_ROUTER_002, SEED_MAC_ROUTER_003, SEED_SERVER, SEED_VIP, holdersOf, startWorld, type World } from '../support/world.ts';

const OVH_TUNING = `  timeout: 20s
  poll_interval: 20ms
  deadline: 120s
  max_rpm: 6000
  retries: 2`;

describe('--dry-run', () => {
  let world: World;
  before(async () => {
    world = await startWorld({ label: 'dry-run' });
  });
  after(async () => {
    await world.close();
  });

  function mutations(from: number): string[] {
    return world.ovh
      .requests()
      .slice(from)
      .filter((r) => r.method !== 'GET')
      .map((r) => `${r.method} ${r.path}`);
  }

  test('reconcile --dry-run on the new MASTER: real reads, DELETE then POST printed with address, from and to; no mutating call sent', async () => {
    world.ovh.setState(seedState());
    const router = world.router({ name: 'router-002', mac: SEED_MAC_ROUTER_002, ownAddress: '178.32.70.110', state: 'MASTER', ovhExtra: OVH_TUNING });
    const start = world.ovh.requests().length;
    const result = await router.cli(['reconcile', '--dry-run']);
    assert.equal(result.code, 0, `${result.stdout}${result.stderr}`);
    const base = `/dedicated/server/${SEED_SERVER}`;
    const lines = result.stdout.split('\n');
    const del = lines.findIndex((l) =>
      l.includes(
        `1. ${SEED_VIP}: ${SEED_MAC_ROUTER_003} -> ${SEED_MAC_ROUTER_002}: DELETE ${base}/virtualMac/${SEED_MAC_ROUTER_003}/virtualAddress/${SEED_VIP}`,
      ),
    );
    const post = lines.findIndex((l) =>
      l.includes(
        `2. ${SEED_VIP}: ${SEED_MAC_ROUTER_003} -> ${SEED_MAC_ROUTER_002}: POST ${base}/virtualMac/${SEED_MAC_ROUTER_002}/virtualAddress {"ipAddress":"${SEED_VIP}","virtualMachineName":"router-002"}`,
      ),
    );
    assert.ok(del > 0 && post > del, result.stdout);
    assert.match(result.stdout, /plan complete: 2 changes would be sent/);
    const reads = world.ovh.requests().slice(start);
    assert.ok(
      reads.some((r) => r.path.endsWith(`${base}/virtualMac`)),
      'it located the VIP at OVH for real',
    );
    assert.deepEqual(mutations(start), [], 'no mutating call reached OVH');
    assert.deepEqual(holdersOf(world), [SEED_MAC_ROUTER_003]);
    assert.equal(router.demotion(), 0);
    for (const file of ['last-claim.json', 'event-2@vmx1.json', 'demotion.json', 'claim.lock'])
      assert.equal(existsSync(join(router.stateDir, file)), false, file);
  });

  test('hook --dry-run: MASTER plans, BACKUP and unknown entries change nothing; already here is a complete, empty plan', async () => {
    world.ovh.setState(seedState());
    const r003 = world.router({ name: 'router-003', mac: SEED_MAC_ROUTER_003, ownAddress: '178.32.70.111', state: 'MASTER', ovhExtra: OVH_TUNING });
    const start = world.ovh.requests().length;
    const here = await r003.cli(['hook', '2@vmx1', 'MASTER', '--dry-run']);
    assert.equal(here.code, 0, here.stderr);
    assert.match(here.stdout, /2@vmx1: MASTER, MAC 00:50:56:09:98:fc: every address is already here, no change/);
    assert.match(here.stdout, /plan complete: 0 changes/);
    const backup = await r003.cli(['hook', '2@vmx1', 'BACKUP', '--dry-run']);
    assert.equal(backup.code, 0);
    assert.match(backup.stdout, /not MASTER, the hook would change nothing/);
    const other = await r003.cli(['hook', '9@vmx1', 'MASTER', '--dry-run']);
    assert.equal(other.code, 0);
    assert.match(other.stdout, /not in the config/);
    const bad = await r003.cli(['hook', '2@vmx1;reboot', 'MASTER', '--dry-run']);
    assert.equal(bad.code, 2);
    assert.deepEqual(mutations(start), []);
  });

  test('a plan the claim would refuse (the only IP of the old vMAC) exits 1, says why, and still sends nothing', async () => {
    world.ovh.setState(seedState());
    // Claiming both IPs of router-003's vMAC would leave it empty, and OVH deletes an empty vMAC.
    const router = world.router({
      name: 'router-002',
      mac: SEED_MAC_ROUTER_002,
      ownAddress: '178.32.70.110',
      state: 'MASTER',
      ovhExtra: OVH_TUNING,
      vips: [SEED_VIP, '178.32.70.111'],
    });
    const start = world.ovh.requests().length;
    const result = await router.cli(['reconcile', '--dry-run']);
    assert.equal(result.code, 1, result.stdout);
    assert.match(result.stdout, /the claim would fail: refusing to detach/);
    assert.match(result.stdout, /plan incomplete/);
    assert.deepEqual(mutations(start), []);
  });
});
