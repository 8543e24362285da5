/**
 * `alias: {interface}` on FreeBSD, end to end: the devd hook as a real subprocess
 * against the fake FreeBSD ifconfig and the OVH simulator. CARP talks on vmx1 (no
 * VIP on the vhid); the VIP lives as a /32 alias on vmx0, whose MAC is the vMAC OVH
 * routes to. MASTER adds the alias before attaching at OVH; BACKUP removes it;
 * doctor says whether the alias matches the CARP state.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { checkOf, doctorJson } from '../doctor/support.ts';
import { holdersOf, SEED_MAC_ROUTER_002, SEED_MAC_ROUTER_003, SEED_VIP, startWorld, stderrLines, type Router, type World } from '../support/world.ts';

/** vmx1's own MAC: never the one OVH is asked to route to. */
const CARPDEV_MAC = '00:50:56:00:aa:02';

function aliased(router: Router): boolean {
  return (router.kernel.read().interfaces.vmx0?.inet ?? []).some((inet) => inet.addr === SEED_VIP);
}

describe('alias on FreeBSD', () => {
  let world: World;
  let r002: Router;
  before(async () => {
    world = await startWorld({ label: 'freebsd-alias' });
    r002 = world.router({
      name: 'router-002',
      mac: CARPDEV_MAC,
      ownAddress: '10.0.0.2',
      state: 'BACKUP',
      alias: { interface: 'vmx0', ether: SEED_MAC_ROUTER_002, address: '178.32.70.110' },
    });
  });
  after(() => world.close());

  const aliasCheck = async () => checkOf(doctorJson(await r002.cli(['doctor', '--json'])), 'alias:2@vmx1');

  test('MASTER aliases the VIP on vmx0 before attaching it to vmx0 MAC; BACKUP removes it; doctor compares alias and state', async () => {
    assert.equal(aliased(r002), false);
    assert.deepEqual(holdersOf(world), [SEED_MAC_ROUTER_003]);
    let check = await aliasCheck();
    assert.deepEqual([check.status, check.detail], ['pass', 'no alias on vmx0 (BACKUP)']);

    r002.setState('MASTER');
    // A MASTER without its alias would drop the traffic OVH sends it.
    check = await aliasCheck();
    assert.equal(check.status, 'warn');
    assert.equal(check.detail, `MASTER but ${SEED_VIP} not aliased on vmx0`);
    assert.match(check.fix ?? '', /carp-ovh reconcile/);

    const master = await r002.hook('MASTER', { wait: true });
    assert.equal(master.code, 0, master.stderr);
    assert.equal(aliased(r002), true);
    assert.deepEqual(holdersOf(world), [SEED_MAC_ROUTER_002], 'OVH routes the VIP to the alias interface MAC');
    const argv = r002.kernel.calls().map((call) => call.argv.join(' '));
    assert.ok(argv.includes(`vmx0 inet ${SEED_VIP}/32 alias`), argv.join('\n'));
    const log = stderrLines(master.stderr).map((line) => String(line.msg));
    const aliasAt = log.indexOf(`Added ${SEED_VIP}/32 as an alias on vmx0`);
    const attachAt = log.findIndex((msg) => msg.startsWith(`Adding ${SEED_VIP} to ${SEED_MAC_ROUTER_002}`));
    assert.ok(aliasAt >= 0 && attachAt > aliasAt, log.join('\n'));
    assert.ok(log.includes(`Detected MAC on vmx0: ${SEED_MAC_ROUTER_002}`), log.join('\n'));
    check = await aliasCheck();
    assert.deepEqual([check.status, check.detail], ['pass', `${SEED_VIP} aliased on vmx0 (MASTER)`]);

    r002.setState('BACKUP');
    // A BACKUP still answering for the VIP: doctor says so before the hook runs.
    check = await aliasCheck();
    assert.deepEqual([check.status, check.detail], ['warn', `BACKUP but ${SEED_VIP} still aliased on vmx0`]);
    world.ovh.clearLog();
    const backup = await r002.hook('BACKUP', { wait: true });
    assert.equal(backup.code, 0, backup.stderr);
    assert.equal(aliased(r002), false);
    assert.ok(
      r002.kernel
        .calls()
        .map((call) => call.argv.join(' '))
        .includes(`vmx0 inet ${SEED_VIP} -alias`),
    );
    // BACKUP changes nothing at OVH: the new MASTER moves the VIP.
    assert.deepEqual(
      world.ovh.requests().filter((r) => r.method !== 'GET'),
      [],
    );
    check = await aliasCheck();
    assert.deepEqual([check.status, check.detail], ['pass', 'no alias on vmx0 (BACKUP)']);
  });
});
