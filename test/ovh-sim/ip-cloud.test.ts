import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { type OvhSimulator, type SimState, startOvhSimulator } from '../support/ovh-sim/index.ts';
import { type NodeOvhClient, realOvhClient, settle, trustTestCaGlobally } from '../support/ovh-sim/test-clients.ts';

// Long enough for a loaded machine to read the pending state before the task is due.
const DELAY = 1500;
const FIP = '203.0.113.50';

function world(): SimState {
  return {
    dedicated: {
      'ns1.example': { virtualMacs: { '02:00:00:aa:bb:01': { type: 'ovh', ips: { [FIP]: 'router-a', '203.0.113.51': 'router-a' } } } },
      'ns2.example': { virtualMacs: {} },
    },
    ips: { [FIP]: { routedTo: 'ns1.example', type: 'failover' }, '203.0.113.51': { routedTo: 'ns1.example' } },
    cloud: {
      pcproject01: {
        instances: [
          { id: 'inst-a', name: 'router-a' },
          { id: 'inst-b', name: 'router-b' },
        ],
        failoverIps: [{ id: 'fip-1', ip: '198.51.100.80', routedTo: 'inst-a' }],
      },
    },
  };
}

let sim: OvhSimulator;
let client: NodeOvhClient;

before(async () => {
  trustTestCaGlobally();
  sim = await startOvhSimulator({ delays: { move: DELAY, attach: DELAY }, state: world() });
  client = realOvhClient(sim);
});

beforeEach(async () => {
  sim.clearFaults();
  sim.cancelStuckTasks();
  await sim.waitForTasks();
  sim.setState(world());
  sim.clearLog();
});

after(async () => {
  await sim.close();
});

test('/ip/{ip} accepts the bare IP and the %2F32 block form, both signed as sent', async () => {
  for (const form of [FIP, `${FIP}%2F32`]) {
    const ip = (await client.requestPromised('GET', `/ip/${form}`)) as Record<string, unknown>;
    assert.equal(ip.ip, `${FIP}/32`);
    assert.deepEqual(ip.routedTo, { serviceName: 'ns1.example' });
    assert.equal(ip.type, 'failover');
  }
  assert.equal(((await settle(client.requestPromised('GET', '/ip/192.0.2.1'))) as { error?: unknown }).error, 404);
  assert.ok(sim.requests().some((r) => r.path === `/1.0/ip/${FIP}%2F32` && r.status === 200));
});

test('POST /ip/{ip}/move returns an IpTask and re-routes when it completes', async () => {
  sim.addFault({ method: 'POST', path: '/ip/*/move', times: 1, action: { type: 'task', outcome: 'never' } });
  const task = (await client.requestPromised('POST', `/ip/${FIP}%2F32/move`, { to: 'ns2.example' })) as Record<string, unknown>;
  assert.equal(task.function, 'genericMoveFloatingIp');
  assert.equal(task.status, 'todo');
  assert.deepEqual(task.destination, { serviceName: 'ns2.example' });
  assert.deepEqual(((await client.requestPromised('GET', `/ip/${FIP}`)) as { routedTo: unknown }).routedTo, { serviceName: 'ns1.example' });
  // todo for a third of the delay, doing after: held, it is one of the two.
  const todo = (await client.requestPromised('GET', `/ip/${FIP}/task`, { function: 'genericMoveFloatingIp', status: 'todo' })) as number[];
  const doing = (await client.requestPromised('GET', `/ip/${FIP}/task`, { function: 'genericMoveFloatingIp', status: 'doing' })) as number[];
  assert.deepEqual([...new Set([...todo, ...doing])], [task.taskId]);

  // A second move while the first is pending: 409.
  assert.equal(((await settle(client.requestPromised('POST', `/ip/${FIP}/move`, { to: 'ns2.example' }))) as { error?: unknown }).error, 409);

  sim.releaseStuckTasks();
  await sim.waitForTasks();
  assert.deepEqual(((await client.requestPromised('GET', `/ip/${FIP}`)) as { routedTo: unknown }).routedTo, { serviceName: 'ns2.example' });
  assert.equal(((await client.requestPromised('GET', `/ip/${FIP}/task/${String(task.taskId)}`)) as { status: string }).status, 'done');
  assert.deepEqual(await client.requestPromised('GET', `/ip/${FIP}/task`, { status: 'todo' }), []);
  // The old server's vMAC lost the IP with the route.
  assert.deepEqual(sim.virtualAddresses('ns1.example', '02:00:00:aa:bb:01'), ['203.0.113.51']);
  assert.deepEqual(sim.locate(FIP), [{ via: 'ip-move', server: 'ns2.example' }]);
});

test('a move to an unknown server or to where it already is: 400; an ovhError task leaves the route', async () => {
  assert.equal(((await settle(client.requestPromised('POST', `/ip/${FIP}/move`, { to: 'ns9.example' }))) as { error?: unknown }).error, 400);
  assert.equal(((await settle(client.requestPromised('POST', `/ip/${FIP}/move`, { to: 'ns1.example' }))) as { error?: unknown }).error, 400);
  assert.equal(((await settle(client.requestPromised('POST', `/ip/${FIP}/move`, {}))) as { error?: unknown }).error, 400);
  sim.addFault({ method: 'POST', path: '/ip/*/move', times: 1, action: { type: 'task', outcome: 'ovhError' } });
  const task = (await client.requestPromised('POST', `/ip/${FIP}/move`, { to: 'ns2.example' })) as { taskId: number };
  await sim.waitForTasks();
  assert.equal(((await client.requestPromised('GET', `/ip/${FIP}/task/${task.taskId}`)) as { status: string }).status, 'ovhError');
  assert.equal(sim.locate(FIP).find((p) => p.via === 'ip-move')?.server, 'ns1.example');
});
