import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { fitsIpModel } from '../support/ovh-sim/ip-schema.ts';
import { type OvhSimulator, type SimState, startOvhSimulator } from '../support/ovh-sim/index.ts';
import { rawCall } from '../support/ovh-sim/test-clients.ts';
import { OVH_CONSUMER_KEY } from '../support/secrets.ts';

/** The /ip routes against reference/ovh-api.md ("Moving an IP between dedicated servers") and ip.json. */

/** Short: a test that must see a task pending holds it with a `never` fault and releases it. */
const QUICK = 30;

function taskDelays(ms: number): void {
  sim.setDelays({ move: ms, delete: ms, add: ms, createMac: ms });
}
const VIP = '203.0.113.60';
const A = 'ns1.example';
const B = 'ns2.example';
const C = 'ns3.example';
const MAC_A = '02:00:00:aa:00:01';

function world(): SimState {
  return {
    dedicated: {
      [A]: { virtualMacs: { [MAC_A]: { type: 'ovh', ips: { [VIP]: 'router-a', '203.0.113.61': 'router-a' } } } },
      [B]: { virtualMacs: {}, nexthops: ['198.51.100.1', '198.51.100.2'] },
      [C]: { virtualMacs: {} },
    },
    ips: {
      [VIP]: { routedTo: A, type: 'failover', destinations: [A, B] },
      '203.0.113.61': { routedTo: A },
      '203.0.113.70': { routedTo: B },
    },
    cloud: {},
  };
}

let sim: OvhSimulator;

before(async () => {
  sim = await startOvhSimulator({ state: world() });
});

beforeEach(async () => {
  sim.clearFaults();
  sim.cancelStuckTasks();
  await sim.waitForTasks();
  sim.setState(world());
  taskDelays(QUICK);
  sim.setDialects({ moveWhileOnVirtualMac: 'strip', movePendingStatus: 409 });
  sim.setConsumer(OVH_CONSUMER_KEY, { rules: ['GET', 'POST', 'PUT', 'DELETE'].map((method) => ({ method: method as 'GET', path: '/*' })) });
  sim.clearLog();
});

after(async () => {
  await sim.close();
});

async function call(method: string, path: string, body?: unknown) {
  return rawCall(sim, method, path, body === undefined ? {} : { body });
}

function fits(value: unknown, model: string): void {
  assert.deepEqual(fitsIpModel(value, model), [], `${model}: ${JSON.stringify(value)}`);
}

test('GET /ip/{ip} answers an ip.Ip for the bare and the %2F32 form, signed over the URL as sent', async () => {
  for (const form of [VIP, `${VIP}%2F32`]) {
    const answer = await call('GET', `/ip/${form}`);
    assert.equal(answer.status, 200);
    fits(answer.json, 'ip.Ip');
    assert.equal((answer.json as { ip: string }).ip, `${VIP}/32`);
    assert.deepEqual((answer.json as { routedTo: unknown }).routedTo, { serviceName: A });
  }
  assert.ok(sim.requests().some((r) => r.path === `/1.0/ip/${VIP}%2F32` && r.status === 200));
  assert.equal((await call('GET', '/ip/192.0.2.9%2F32')).status, 404);
  assert.equal((await call('GET', `/ip/${VIP}%2F30`)).status, 404);
});

test('GET /ip/{ip}/move lists the allowed dedicated servers, never the current one, with their next hops', async () => {
  const answer = await call('GET', `/ip/${VIP}%2F32/move`);
  assert.equal(answer.status, 200);
  fits(answer.json, 'ip.Destinations');
  assert.deepEqual((answer.json as { dedicatedServer: unknown }).dedicatedServer, [{ service: B, nexthop: ['198.51.100.1', '198.51.100.2'] }]);
  // Without a list of its own, every server but the current one.
  const other = await call('GET', '/ip/203.0.113.70%2F32/move');
  assert.deepEqual(
    (other.json as { dedicatedServer: Array<{ service: string }> }).dedicatedServer.map((d) => d.service),
    [A, C],
  );
});

test('POST /ip/{ip}/move answers an ip.IpTask; the route changes when the task is done, not before', async () => {
  // Held pending until released, so a loaded machine cannot see it finish early.
  sim.addFault({ method: 'POST', path: '/ip/*/move', times: 1, action: { type: 'task', outcome: 'never' } });
  const posted = await call('POST', `/ip/${VIP}%2F32/move`, { to: B, nexthop: '198.51.100.2' });
  assert.equal(posted.status, 200);
  fits(posted.json, 'ip.IpTask');
  const task = posted.json as { taskId: number; function: string; status: string; destination: unknown };
  assert.equal(task.function, 'genericMoveFloatingIp');
  assert.equal(task.status, 'todo');
  assert.deepEqual(task.destination, { serviceName: B });
  assert.deepEqual(sim.requests().at(-1)?.body, { to: B, nexthop: '198.51.100.2' });
  assert.deepEqual(((await call('GET', `/ip/${VIP}`)).json as { routedTo: unknown }).routedTo, { serviceName: A });

  // todo for the first third of the delay, doing after.
  const todo = (await call('GET', `/ip/${VIP}%2F32/task?function=genericMoveFloatingIp&status=todo`)).json as number[];
  const doing = (await call('GET', `/ip/${VIP}%2F32/task?function=genericMoveFloatingIp&status=doing`)).json as number[];
  assert.deepEqual([...new Set([...todo, ...doing])], [task.taskId]);
  sim.releaseStuckTasks();
  await sim.waitForTasks();
  const read = await call('GET', `/ip/${VIP}%2F32/task/${task.taskId}`);
  fits(read.json, 'ip.IpTask');
  assert.equal((read.json as { status: string }).status, 'done');
  assert.ok(Number.isFinite(Date.parse((read.json as { doneDate: string }).doneDate)));
  assert.deepEqual(((await call('GET', `/ip/${VIP}%2F32`)).json as { routedTo: unknown }).routedTo, { serviceName: B });
  assert.deepEqual((await call('GET', `/ip/${VIP}%2F32/task?function=genericMoveFloatingIp&status=todo`)).json, []);
  assert.ok(((await call('GET', `/ip/${VIP}%2F32/task?status=done`)).json as number[]).includes(task.taskId));
  // Now on B, the allowed destinations are A (its own list) only.
  assert.deepEqual(
    ((await call('GET', `/ip/${VIP}%2F32/move`)).json as { dedicatedServer: Array<{ service: string }> }).dedicatedServer.map((d) => d.service),
    [A],
  );
});

test('a move the IP may not make answers 400 and creates no task', async () => {
  const tasksBefore = (await call('GET', `/ip/${VIP}%2F32/task`)).json;
  sim.clearLog();
  const cases: Array<[unknown, RegExp]> = [
    [{}, /\[to\] Property is mandatory/],
    [{ to: A }, /already routed/],
    [{ to: C }, /not a valid destination/],
    [{ to: 'ns9.example' }, /not a valid destination/],
    [{ to: B, nexthop: '192.0.2.1' }, /not a valid nexthop/],
    [{ to: B, nexthop: 7 }, /nexthop/],
  ];
  for (const [body, message] of cases) {
    const answer = await call('POST', `/ip/${VIP}%2F32/move`, body);
    assert.equal(answer.status, 400, JSON.stringify(body));
    assert.match(String((answer.json as { message: string }).message), message);
  }
  assert.deepEqual(
    sim
      .requests()
      .filter((r) => r.method === 'POST')
      .map((r) => r.status),
    cases.map(() => 400),
  );
  assert.deepEqual((await call('GET', `/ip/${VIP}%2F32/task`)).json, tasksBefore);
  const badQuery = await call('GET', `/ip/${VIP}%2F32/task?status=pending`);
  assert.equal(badQuery.status, 400);
  assert.equal((await call('GET', `/ip/${VIP}%2F32/task/12`)).status, 404);
});

test('a second move while one is pending: 409, or 400 under the movePendingStatus dialect', async () => {
  for (const status of [409, 400] as const) {
    sim.setState(world());
    sim.setDialects({ movePendingStatus: status });
    sim.addFault({ method: 'POST', path: '/ip/*/move', times: 1, action: { type: 'task', outcome: 'never' } });
    assert.equal((await call('POST', `/ip/${VIP}/move`, { to: B })).status, 200);
    const second = await call('POST', `/ip/${VIP}/move`, { to: B });
    assert.equal(second.status, status);
    assert.match(String((second.json as { message: string }).message), /already in progress/);
    sim.cancelStuckTasks();
    assert.equal((await call('POST', `/ip/${VIP}/move`, { to: B })).status, 200);
    await sim.waitForTasks();
  }
});

test('vMAC dialects: a move strips the old vMAC, is refused while a vMAC holds the IP, or leaves the vMAC listing it', async () => {
  // strip (default)
  assert.equal((await call('POST', `/ip/${VIP}/move`, { to: B })).status, 200);
  await sim.waitForTasks();
  assert.deepEqual(sim.virtualAddresses(A, MAC_A), ['203.0.113.61']);
  assert.deepEqual(sim.locate(VIP), [{ via: 'ip-move', server: B }]);

  sim.setState(world());
  sim.setDialects({ moveWhileOnVirtualMac: 'refuse' });
  const refused = await call('POST', `/ip/${VIP}/move`, { to: B });
  assert.equal(refused.status, 400);
  assert.match(String((refused.json as { message: string }).message), /still attached to the virtual MAC 02:00:00:aa:00:01/);
  assert.deepEqual(
    sim.tasks().filter((t) => t.status === 'todo' || t.status === 'doing'),
    [],
  );
  // Taken off the vMAC first, the move goes through.
  assert.equal((await call('DELETE', `/dedicated/server/${A}/virtualMac/${MAC_A}/virtualAddress/${VIP}`)).status, 200);
  await sim.waitForTasks();
  assert.equal((await call('POST', `/ip/${VIP}/move`, { to: B })).status, 200);
  await sim.waitForTasks();
  assert.deepEqual(sim.locate(VIP), [{ via: 'ip-move', server: B }]);

  sim.setState(world());
  sim.setDialects({ moveWhileOnVirtualMac: 'keep' });
  assert.equal((await call('POST', `/ip/${VIP}/move`, { to: B })).status, 200);
  await sim.waitForTasks();
  assert.deepEqual(sim.virtualAddresses(A, MAC_A), [VIP, '203.0.113.61']);
  assert.deepEqual(sim.locate(VIP), [
    { via: 'virtual-mac', server: A, mac: MAC_A, virtualMachineName: 'router-a' },
    { via: 'ip-move', server: B },
  ]);
});

test('a vMAC attach and a move exclude each other on the same IP while either is pending', async () => {
  sim.addFault({ path: '/*', times: 2, action: { type: 'task', outcome: 'never' } });
  assert.equal((await call('DELETE', `/dedicated/server/${A}/virtualMac/${MAC_A}/virtualAddress/${VIP}`)).status, 200);
  assert.equal((await call('POST', `/ip/${VIP}/move`, { to: B })).status, 409);
  sim.releaseStuckTasks();
  await sim.waitForTasks();
  assert.equal((await call('POST', `/ip/${VIP}/move`, { to: B })).status, 200);
  const attach = await call('POST', `/dedicated/server/${B}/virtualMac`, { ipAddress: VIP, type: 'ovh', virtualMachineName: 'router-b' });
  assert.equal(attach.status, 409);
  sim.releaseStuckTasks();
  await sim.waitForTasks();
  // Routed to B now: B's vMACs may take it, A's may not.
  assert.equal(
    (await call('POST', `/dedicated/server/${A}/virtualMac/${MAC_A}/virtualAddress`, { ipAddress: VIP, virtualMachineName: 'router-a' })).status,
    400,
  );
  assert.equal((await call('POST', `/dedicated/server/${B}/virtualMac`, { ipAddress: VIP, type: 'ovh', virtualMachineName: 'router-b' })).status, 200);
});

test('access rules: a key with GET /ip/* only reads, and its POST move is refused with NOT_GRANTED_CALL', async () => {
  sim.setConsumer(OVH_CONSUMER_KEY, { rules: [{ method: 'GET', path: '/ip/*' }] });
  assert.equal((await call('GET', `/ip/${VIP}%2F32`)).status, 200);
  assert.equal((await call('GET', `/ip/${VIP}%2F32/move`)).status, 200);
  assert.equal((await call('GET', `/ip/${VIP}%2F32/task?function=genericMoveFloatingIp&status=todo`)).status, 200);
  const refused = await call('POST', `/ip/${VIP}%2F32/move`, { to: B });
  assert.equal(refused.status, 403);
  assert.equal((refused.json as { errorCode: string }).errorCode, 'NOT_GRANTED_CALL');
  sim.setConsumer(OVH_CONSUMER_KEY, {
    rules: [
      { method: 'GET', path: '/ip/*' },
      { method: 'POST', path: '/ip/*/move' },
    ],
  });
  assert.equal((await call('POST', `/ip/${VIP}%2F32/move`, { to: B })).status, 200);
});

test('faults: a move task can end in failure without moving, and task reads can fail transiently', async () => {
  sim.addFault({ method: 'POST', path: '/ip/*/move', times: 1, action: { type: 'task', outcome: 'customerError' } });
  sim.addFault({ method: 'GET', path: '/ip/*/task/*', times: 1, action: { type: 'status', status: 404 } });
  const task = (await call('POST', `/ip/${VIP}%2F32/move`, { to: B })).json as { taskId: number };
  await sim.waitForTasks();
  assert.equal((await call('GET', `/ip/${VIP}%2F32/task/${task.taskId}`)).status, 404);
  const read = await call('GET', `/ip/${VIP}%2F32/task/${task.taskId}`);
  fits(read.json, 'ip.IpTask');
  assert.equal((read.json as { status: string }).status, 'customerError');
  assert.deepEqual(
    sim.locate(VIP).find((p) => p.via === 'ip-move'),
    { via: 'ip-move', server: A },
  );

  // A move that is accepted although its answer is lost: the task is there to find.
  sim.addFault({ method: 'POST', path: '/ip/*/move', times: 1, action: { type: 'status', status: 502 } });
  assert.equal((await call('POST', `/ip/${VIP}%2F32/move`, { to: B })).status, 502);
  assert.deepEqual((await call('GET', `/ip/${VIP}%2F32/task?function=genericMoveFloatingIp&status=todo`)).json, []);
});
