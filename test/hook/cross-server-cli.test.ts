/**
 * Virtual-MAC routers on two dedicated servers, through the real CLI: the VIP is
 * on router A's vMAC on server A; router B (a VM on server B) becomes MASTER.
 * One claim takes the VIP off A's vMAC, moves it to server B
 * (`POST /ip/{ip}%2F32/move`), then attaches it to B's vMAC, under each thing OVH
 * might do with a vMAC that still lists an IP being moved. A dry run prints those
 * three calls in that order and sends none; status and doctor say which server and
 * vMAC the VIP is on.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BARE_METAL_SERVERS, BARE_METAL_VIP, type SimDialects, TWO_HOST_MACS, twoHostState } from '../support/ovh-sim/index.ts';
import { startWorld, type Router, type World } from '../support/world.ts';
import { checkOf, doctorJson } from '../doctor/support.ts';

const [SERVER_A, SERVER_B] = BARE_METAL_SERVERS;
const [MAC_A, MAC_B] = TWO_HOST_MACS;
const VIP = BARE_METAL_VIP;
const re = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const DELETE_THERE = `/dedicated/server/${SERVER_A}/virtualMac/${MAC_A}/virtualAddress/${VIP}`;
const MOVE = `/ip/${VIP}%2F32/move`;
const ATTACH_HERE = `/dedicated/server/${SERVER_B}/virtualMac/${MAC_B}/virtualAddress`;

interface StatusJson {
  vhids: Array<{ addresses: Array<{ address: string; holder: string | null; here: boolean | null; where?: string }> }>;
}

describe('virtual-MAC routers on two servers, through the CLI', () => {
  let world: World;
  let ra: Router;
  let rb: Router;
  const mutations = (from: number) =>
    world.ovh
      .requests()
      .slice(from)
      .filter((r) => r.method !== 'GET');

  before(async () => {
    world = await startWorld({ label: 'cross-server-cli', ovh: { state: twoHostState(), delays: { delete: 80, add: 80, move: 80 } } });
    ra = world.router({ name: 'router-a', mac: MAC_A, ownAddress: '203.0.113.101', state: 'BACKUP', vips: [VIP], server: SERVER_A });
    rb = world.router({ name: 'router-b', mac: MAC_B, ownAddress: '203.0.113.102', state: 'MASTER', vips: [VIP], server: SERVER_B });
  });
  after(() => world.close());

  test('dry run: the real reads, then DELETE there, POST /ip/{ip}/move, POST here, with from and to; nothing sent', async () => {
    world.ovh.setState(twoHostState());
    const start = world.ovh.requests().length;
    for (const args of [
      ['reconcile', '--dry-run'],
      ['hook', '2@vmx1', 'MASTER', '--dry-run'],
    ]) {
      const result = await rb.cli(args);
      assert.equal(result.code, 0, result.stdout + result.stderr);
      const steps = result.stdout.split('\n').filter((line) => /^ {2}\d+\. /.test(line));
      assert.deepEqual(steps, [
        `  1. ${VIP}: ${MAC_A} -> ${MAC_B}: DELETE ${DELETE_THERE}`,
        `  2. ${VIP}: ${SERVER_A} -> ${SERVER_B}: POST ${MOVE} {"to":"${SERVER_B}"}`,
        `  3. ${VIP}: ${MAC_A} -> ${MAC_B}: POST ${ATTACH_HERE} {"ipAddress":"${VIP}","virtualMachineName":"router-b"}`,
      ]);
      assert.match(result.stdout, /plan complete: 3 changes would be sent/);
    }
    const reads = world.ovh
      .requests()
      .slice(start)
      .map((r) => `${r.method} ${r.path}`);
    // What the claim reads before its first change, for real: where OVH routes the IP, the other server's vMACs, where it may move.
    for (const read of [`GET /1.0/ip/${VIP}%2F32`, `GET /1.0/dedicated/server/${SERVER_A}/virtualMac`, `GET /1.0${MOVE}`])
      assert.ok(reads.includes(read), `${read} in ${reads.join(' ')}`);
    assert.deepEqual(mutations(start), [], 'a dry run sends no mutating call');
    assert.deepEqual(world.ovh.locate(VIP), [
      { via: 'virtual-mac', server: SERVER_A, mac: MAC_A, virtualMachineName: 'router-a' },
      { via: 'ip-move', server: SERVER_A },
    ]);
  });

  test('dry run of a claim the move would refuse (the VIP is the only IP of the vMAC there): exit 1, says why, sends nothing', async () => {
    const state = twoHostState();
    delete state.dedicated[SERVER_A]?.virtualMacs[MAC_A]?.ips['203.0.113.101'];
    world.ovh.setState(state);
    const start = world.ovh.requests().length;
    const result = await rb.cli(['reconcile', '--dry-run']);
    assert.equal(result.code, 1, result.stdout);
    assert.match(result.stdout, new RegExp(`the claim would fail: cannot bring ${re(VIP)} to ${re(SERVER_B)}: .*only IP on ${re(MAC_A)} of ${re(SERVER_A)}`));
    assert.match(result.stdout, /plan incomplete/);
    assert.deepEqual(mutations(start), []);
  });

  for (const dialect of ['strip', 'refuse', 'keep'] as Array<SimDialects['moveWhileOnVirtualMac']>) {
    test(`hook --wait under the "${dialect}" dialect: detached there, moved, attached here; status and doctor say where`, async () => {
      world.ovh.setState(twoHostState());
      world.ovh.setDialects({ moveWhileOnVirtualMac: dialect });
      const start = world.ovh.requests().length;
      const result = await rb.hook('MASTER', { wait: true });
      assert.equal(result.code, 0, result.stdout + result.stderr);
      assert.match(result.stdout, new RegExp(`${re(VIP)}: moved \\(was on ${re(MAC_A)}\\)`));
      // Exactly the three mutations, in the safe order, each accepted at once.
      assert.deepEqual(
        mutations(start).map((r) => ({ call: `${r.method} ${r.path}`, status: r.status, body: r.body })),
        [
          { call: `DELETE /1.0${DELETE_THERE}`, status: 200, body: undefined },
          { call: `POST /1.0${MOVE}`, status: 200, body: { to: SERVER_B } },
          { call: `POST /1.0${ATTACH_HERE}`, status: 200, body: { ipAddress: VIP, virtualMachineName: 'router-b' } },
        ],
      );
      assert.deepEqual(world.ovh.locate(VIP), [
        { via: 'virtual-mac', server: SERVER_B, mac: MAC_B, virtualMachineName: 'router-b' },
        { via: 'ip-move', server: SERVER_B },
      ]);
      assert.deepEqual(world.ovh.virtualAddresses(SERVER_A, MAC_A), ['203.0.113.101'], "router A's vMAC kept its own IP");
      assert.equal(rb.demotion(), 0);
      world.ovh.setDialects({ moveWhileOnVirtualMac: 'strip' });

      const onB = JSON.parse((await rb.cli(['status', '--json'])).stdout) as StatusJson;
      assert.deepEqual(onB.vhids[0]?.addresses, [{ address: VIP, holder: MAC_B, here: true, where: `vMAC ${MAC_B}` }]);
      // From server A the VIP is on no vMAC of its own server: status reads where OVH routes it instead.
      const onA = JSON.parse((await ra.cli(['status', '--json'])).stdout) as StatusJson;
      assert.deepEqual(onA.vhids[0]?.addresses, [{ address: VIP, holder: MAC_B, here: false, where: `vMAC ${MAC_B} of ${SERVER_B}` }]);
      const human = await ra.cli(['status']);
      assert.match(human.stdout.replace(/\n {17}/g, ' '), new RegExp(`^  ${re(VIP)}  on vMAC ${re(MAC_B)} of ${re(SERVER_B)} \\(not this router\\)$`, 'm'));
    });
  }

  test('doctor on the BACKUP of the other server: the VIP is on the peer there, not routed nowhere', async () => {
    world.ovh.setState(twoHostState());
    const asMaster = doctorJson(await rb.cli(['doctor', '--json']));
    rb.setState('BACKUP');
    try {
      const report = doctorJson(await rb.cli(['doctor', '--json']));
      const vip = checkOf(report, `placement.vip:${VIP}`);
      assert.equal(vip.status, 'pass', vip.detail);
      assert.equal(vip.detail, `on vMAC ${MAC_A} of ${SERVER_A} (the peer), and 2@vmx1 is BACKUP here`);
      assert.equal(checkOf(report, `ovh.cross-server:${VIP}`).status, 'pass');
      // The peer's vMAC there holding only the VIP: a claim here would refuse, and doctor says so beforehand.
      const state = twoHostState();
      delete state.dedicated[SERVER_A]?.virtualMacs[MAC_A]?.ips['203.0.113.101'];
      world.ovh.setState(state);
      const refused = doctorJson(await rb.cli(['doctor', '--json']));
      const cross = checkOf(refused, `ovh.cross-server:${VIP}`);
      assert.equal(cross.status, 'fail');
      assert.match(cross.detail, new RegExp(`would refuse to bring ${re(VIP)} from ${re(SERVER_A)}: .*only IP on ${re(MAC_A)} of ${re(SERVER_A)}`));
      assert.equal(checkOf(refused, `placement.vip:${VIP}`).status, 'pass');
    } finally {
      world.ovh.setState(twoHostState());
      rb.setState('MASTER');
    }
    // As MASTER with the VIP still on the other server, that is a fault doctor names.
    const vip = checkOf(asMaster, `placement.vip:${VIP}`);
    assert.equal(vip.status, 'fail');
    assert.match(vip.detail, new RegExp(`on vMAC ${re(MAC_A)} of ${re(SERVER_A)}, but 2@vmx1 is MASTER here`));
  });
});
