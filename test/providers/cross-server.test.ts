import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import type { ClaimContext, ClaimStep, LogPort } from '../../src/core/ports/index.ts';
import { CarpOvhError } from '../../src/errors.ts';
import { OvhApi } from '../../src/providers/ovh/api.ts';
import { createOvhClient, type OvhClient } from '../../src/providers/ovh/client.ts';
import { bringToServer, crossServerProblems, foreignHolder, foreignServer } from '../../src/providers/ovh/cross-server.ts';
import { IpApi } from '../../src/providers/ovh/ip-api.ts';
import { IpMover } from '../../src/providers/ovh/ip-mover.ts';
import { CA_PATH } from '../support/certs.ts';
import { type OvhSimulator, type SimDialects, type SimState, startOvhSimulator } from '../support/ovh-sim/index.ts';
import { OVH_APPLICATION_KEY, OVH_APPLICATION_SECRET, OVH_CONSUMER_KEY } from '../support/secrets.ts';

/**
 * Virtual-MAC routers on two servers: the VIP sits on the peer's vMAC on the
 * other server. The safe order (off that vMAC, move, attach here) is checked
 * under each thing OVH might do with a vMAC that still lists an IP being moved.
 */

const PEER_SERVER = 'ns-a.example';
const OUR_SERVER = 'ns-b.example';
const PEER_MAC = '02:00:00:0a:00:01';
const OUR_MAC = '02:00:00:0b:00:01';
const VIP = '203.0.113.90';
const POLL_MS = 20;

function world(): SimState {
  return {
    dedicated: {
      [PEER_SERVER]: { virtualMacs: { [PEER_MAC]: { type: 'ovh', ips: { [VIP]: 'router-a', '203.0.113.91': 'router-a' } } } },
      [OUR_SERVER]: { virtualMacs: { [OUR_MAC]: { type: 'ovh', ips: { '203.0.113.92': 'router-b' } } } },
    },
    ips: { [VIP]: { routedTo: PEER_SERVER }, '203.0.113.91': { routedTo: PEER_SERVER }, '203.0.113.92': { routedTo: OUR_SERVER } },
    cloud: {},
  };
}

let sim: OvhSimulator;
let client: OvhClient;
let api: OvhApi;
let ip: IpApi;

before(async () => {
  sim = await startOvhSimulator({ state: world(), delays: { delete: 60, add: 60, move: 60 } });
  client = createOvhClient({
    url: sim.url,
    ca: CA_PATH,
    timeoutMs: 5000,
    credentials: { applicationKey: OVH_APPLICATION_KEY, applicationSecret: OVH_APPLICATION_SECRET, consumerKey: OVH_CONSUMER_KEY },
  });
  api = new OvhApi(client, { retries: 2, retryDelayMs: POLL_MS });
  ip = new IpApi(api);
});

beforeEach(async () => {
  sim.clearFaults();
  sim.cancelStuckTasks();
  await sim.waitForTasks();
  sim.setState(world());
  sim.setDialects({ moveWhileOnVirtualMac: 'strip' });
  sim.clearLog();
});

after(async () => {
  client.close();
  await sim.close();
});

const quiet: LogPort = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };

function ctx(): ClaimContext {
  return { signal: AbortSignal.timeout(20_000), deadline: Date.now() + 20_000, guard: async () => undefined, log: quiet };
}

async function attachHere(): Promise<void> {
  await api.mutate(
    'POST',
    `/dedicated/server/${OUR_SERVER}/virtualMac/${OUR_MAC}/virtualAddress`,
    { ipAddress: VIP, virtualMachineName: 'router-b' },
    AbortSignal.timeout(5000),
  );
  await sim.waitForTasks();
}

const DIALECTS: Array<SimDialects['moveWhileOnVirtualMac']> = ['strip', 'refuse', 'keep'];

for (const dialect of DIALECTS) {
  test(`safe order under the "${dialect}" dialect: off the peer's vMAC, moved, attached here`, async () => {
    sim.setDialects({ moveWhileOnVirtualMac: dialect });
    const c = ctx();
    const other = await foreignServer(ip, VIP, OUR_SERVER, c.signal);
    assert.equal(other, PEER_SERVER);
    const holder = await foreignHolder(api, PEER_SERVER, VIP, c.signal);
    assert.deepEqual(holder, { server: PEER_SERVER, mac: PEER_MAC, addresses: [VIP, '203.0.113.91'] });
    assert.deepEqual(await crossServerProblems({ ip }, VIP, OUR_SERVER, holder, [VIP], c.signal), []);
    const steps: ClaimStep[] = [];
    await bringToServer(
      { api, ip, mover: new IpMover(ip, { pollIntervalMs: POLL_MS, retries: 2 }), pollIntervalMs: POLL_MS },
      VIP,
      OUR_SERVER,
      PEER_SERVER,
      holder,
      c,
      steps,
    );
    assert.deepEqual(
      steps.map((s) => s.step),
      ['detach', 'wait-gone', 'move', 'wait-moved'],
    );
    await attachHere();
    assert.deepEqual(sim.locate(VIP), [
      { via: 'virtual-mac', server: OUR_SERVER, mac: OUR_MAC, virtualMachineName: 'router-b' },
      { via: 'ip-move', server: OUR_SERVER },
    ]);
    // The peer's vMAC kept its own IP, and nothing was refused along the way.
    assert.deepEqual(sim.virtualAddresses(PEER_SERVER, PEER_MAC), ['203.0.113.91']);
    assert.ok(
      sim.requests().every((r) => r.status === 200),
      JSON.stringify(sim.requests().filter((r) => r.status !== 200)),
    );
  });
}

test('the opposite order (move while the peer\'s vMAC still lists the IP) fails under "refuse" and "keep": why the claim detaches first', async () => {
  const mover = new IpMover(ip, { pollIntervalMs: POLL_MS, retries: 0 });
  // refuse: the move itself is refused, every time.
  sim.setDialects({ moveWhileOnVirtualMac: 'refuse' });
  await assert.rejects(mover.moveHere(VIP, { server: OUR_SERVER, nexthop: null }, PEER_SERVER, ctx(), []), (error: CarpOvhError) => error.status === 400);
  assert.equal(sim.locate(VIP).find((p) => p.via === 'ip-move')?.server, PEER_SERVER);
  // keep: the move goes through, but the stale listing on the peer's vMAC blocks the attach here.
  sim.setState(world());
  sim.setDialects({ moveWhileOnVirtualMac: 'keep' });
  await mover.moveHere(VIP, { server: OUR_SERVER, nexthop: null }, PEER_SERVER, ctx(), []);
  await assert.rejects(attachHere(), (error: CarpOvhError) => error.status === 400 && /already linked/.test(error.message));
});

test("problems stop a cross-server claim before any change: the only IP on the peer's vMAC, a server OVH does not offer, a missing rule", async () => {
  sim.setState({
    ...world(),
    dedicated: { ...world().dedicated, [PEER_SERVER]: { virtualMacs: { [PEER_MAC]: { type: 'ovh', ips: { [VIP]: 'router-a' } } } } },
    ips: { [VIP]: { routedTo: PEER_SERVER, destinations: [PEER_SERVER] } },
  });
  sim.setConsumer(OVH_CONSUMER_KEY, {
    rules: [
      { method: 'GET', path: '/*' },
      { method: 'POST', path: '/*' },
    ],
  });
  const c = ctx();
  const holder = await foreignHolder(api, PEER_SERVER, VIP, c.signal);
  const problems = await crossServerProblems({ ip }, VIP, OUR_SERVER, holder, [VIP], c.signal);
  assert.equal(problems.length, 3, problems.join('\n'));
  assert.match(problems.join('\n'), /not a destination OVH offers/);
  assert.match(problems.join('\n'), /only IP on 02:00:00:0a:00:01 of ns-a.example/);
  assert.match(problems.join('\n'), /lacks DELETE \/dedicated\/server\/\*\/virtualMac\/\*/);
  assert.deepEqual(
    sim.requests().filter((r) => r.method !== 'GET'),
    [],
  );
  sim.setConsumer(OVH_CONSUMER_KEY, { rules: ['GET', 'POST', 'PUT', 'DELETE'].map((method) => ({ method: method as 'GET', path: '/*' })) });
});
