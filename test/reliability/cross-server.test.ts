import assert from 'node:assert/strict';
import { test } from 'node:test';
import { claimInProcess } from '../support/claim-in-process.ts';
import { SEED_MAC_ROUTER_002, SEED_SERVER, SEED_VIP, seedState, startOvhSimulator, type SimDialects, type SimState } from '../support/ovh-sim/index.ts';

/**
 * Virtual-MAC routers on two dedicated servers: the VIP is routed to the other
 * server and sits on the peer's vMAC there. One claim takes it off that vMAC,
 * moves it to our server and attaches it to our vMAC, under every plausible
 * OVH behaviour for a move while a vMAC still lists the IP.
 */

const OTHER = 'ns3000001.ip-1-2-4.eu';
const PEER_MAC = '02:00:00:0c:00:01';

function twoServers(peerIps: Record<string, string> = { [SEED_VIP]: 'router-003', '178.32.70.111': 'router-003' }): SimState {
  const seed = seedState();
  const ours = seed.dedicated[SEED_SERVER];
  if (ours === undefined) throw new Error('seed without its server');
  // Ours keeps router-002's vMAC (with its own IP); the peer moved to the other server.
  ours.virtualMacs = { [SEED_MAC_ROUTER_002]: { type: 'vmware', ips: { '178.32.70.110': 'router-002' } } };
  seed.dedicated[OTHER] = { virtualMacs: { [PEER_MAC]: { type: 'ovh', ips: peerIps } } };
  seed.ips[SEED_VIP] = { routedTo: OTHER, type: 'failover' };
  seed.ips['178.32.70.111'] = { routedTo: OTHER };
  return seed;
}

const messages = (logs: Array<Record<string, unknown>>): string => logs.map((l) => String(l.msg)).join('\n');

for (const dialect of ['strip', 'refuse', 'keep'] as Array<SimDialects['moveWhileOnVirtualMac']>) {
  test(`"${dialect}": off the peer's vMAC on the other server, moved here, attached to ours, in that order`, async () => {
    const sim = await startOvhSimulator({ state: twoServers(), dialects: { moveWhileOnVirtualMac: dialect }, delays: { delete: 40, add: 40, move: 40 } });
    try {
      const run = await claimInProcess(sim, { mac: SEED_MAC_ROUTER_002 });
      assert.equal(run.outcome.result, 'ok', messages(run.logs));
      const [address] = run.outcome.vhids[0]?.addresses ?? [];
      assert.equal(address?.result, 'moved');
      assert.equal(address?.from, PEER_MAC);
      assert.deepEqual(
        address?.steps.map((s) => s.step),
        ['locate', 'detach', 'wait-gone', 'move', 'wait-moved', 'attach', 'wait-visible'],
      );
      assert.deepEqual(sim.locate(SEED_VIP), [
        { via: 'virtual-mac', server: SEED_SERVER, mac: SEED_MAC_ROUTER_002, virtualMachineName: 'router-002' },
        { via: 'ip-move', server: SEED_SERVER },
      ]);
      assert.deepEqual(sim.virtualAddresses(OTHER, PEER_MAC), ['178.32.70.111']);
      const mutations = sim
        .requests()
        .filter((r) => r.method !== 'GET')
        .map((r) => `${r.method} ${r.path.replace(/^\/1\.0/, '')} ${r.status}`);
      assert.deepEqual(mutations, [
        `DELETE /dedicated/server/${OTHER}/virtualMac/${PEER_MAC}/virtualAddress/${SEED_VIP} 200`,
        `POST /ip/${SEED_VIP}%2F32/move 200`,
        `POST /dedicated/server/${SEED_SERVER}/virtualMac/${SEED_MAC_ROUTER_002}/virtualAddress 200`,
      ]);
      assert.equal(sim.conflicts, 0);
      assert.equal(run.demotion, 0);
    } finally {
      await sim.close();
    }
  });
}

test("the VIP alone on the peer's vMAC on the other server, or our server not offered: no change at OVH, claim failed and demoted", async () => {
  for (const state of [
    twoServers({ [SEED_VIP]: 'router-003' }),
    { ...twoServers(), ips: { ...twoServers().ips, [SEED_VIP]: { routedTo: OTHER, destinations: [OTHER] } } },
  ]) {
    const sim = await startOvhSimulator({ state });
    try {
      const run = await claimInProcess(sim, { mac: SEED_MAC_ROUTER_002 });
      assert.equal(run.outcome.result, 'failed');
      assert.match(
        String(run.outcome.error?.message ?? run.outcome.vhids[0]?.error?.message),
        /cannot bring 51.68.252.230 to ns3000000.ip-1-2-3.eu: .*(only IP on 02:00:00:0c:00:01|not a destination OVH offers)/,
      );
      assert.deepEqual(
        sim.requests().filter((r) => r.method !== 'GET'),
        [],
      );
      assert.ok(run.demotion > 0);
    } finally {
      await sim.close();
    }
  }
});
