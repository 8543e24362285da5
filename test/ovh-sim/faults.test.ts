import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import {
  type OvhSimulator,
  SEED_MAC_ROUTER_002 as MAC_002,
  SEED_MAC_ROUTER_003 as MAC_003,
  SEED_SERVER as SN,
  SEED_VIP as VIP,
  seedState,
  startOvhSimulator,
} from '../support/ovh-sim/index.ts';
import { waitUntil } from '../support/wait.ts';
import { type NodeOvhClient, rawCall, realOvhClient, settle, trustTestCaGlobally } from '../support/ovh-sim/test-clients.ts';

const VMAC = `/dedicated/server/${SN}/virtualMac`;
const DELETE_VIP = `${VMAC}/${MAC_003}/virtualAddress/${VIP}`;

let sim: OvhSimulator;
let client: NodeOvhClient;

before(async () => {
  trustTestCaGlobally();
  sim = await startOvhSimulator({ delays: { delete: 30, add: 30 } });
  client = realOvhClient(sim);
  // Measure the clock once now, so that faults below only meet the calls under test.
  await client.requestPromised('GET', '/dedicated/server');
});

beforeEach(async () => {
  sim.clearFaults();
  sim.cancelStuckTasks();
  await sim.waitForTasks();
  sim.setState(seedState());
  sim.clearLog();
});

after(async () => {
  await sim.close();
});

test('a status fault answers that status with an OVH body, for the next N calls only', async () => {
  sim.addFault({ method: 'GET', path: '/dedicated/server/*/virtualMac', times: 2, action: { type: 'status', status: 503 } });
  for (let i = 0; i < 2; i++) {
    const answer = await rawCall(sim, 'GET', VMAC);
    assert.equal(answer.status, 503);
    assert.deepEqual(answer.json, { class: 'Server::ServiceUnavailable', message: 'Service temporarily unavailable' });
    assert.ok(answer.headers['x-ovh-queryid']);
  }
  assert.equal((await rawCall(sim, 'GET', VMAC)).status, 200);
  assert.deepEqual(sim.faults(), []);
  const log = sim.requests().filter((r) => r.path.endsWith('/virtualMac'));
  assert.deepEqual(
    log.map((r) => [r.status, r.fault]),
    [
      [503, 'status'],
      [503, 'status'],
      [200, undefined],
    ],
  );
});

test('a status fault can carry an errorCode or a custom body; the method filters', async () => {
  sim.addFault({
    method: 'POST',
    path: '/dedicated/server/*',
    action: { type: 'status', status: 403, errorCode: 'NOT_GRANTED_CALL', message: 'This call has not been granted' },
  });
  assert.equal((await rawCall(sim, 'GET', VMAC)).status, 200);
  const denied = await rawCall(sim, 'POST', `${VMAC}/${MAC_002}/virtualAddress`, { body: { ipAddress: VIP, virtualMachineName: 'r' } });
  assert.equal(denied.status, 403);
  assert.equal((denied.json as { errorCode?: string }).errorCode, 'NOT_GRANTED_CALL');
  assert.equal(sim.requests().at(-1)?.errorCode, 'NOT_GRANTED_CALL');
  sim.clearFaults();
  sim.addFault({ path: '/dedicated/server', times: 1, action: { type: 'status', status: 502, body: { oops: true } } });
  assert.deepEqual((await rawCall(sim, 'GET', '/dedicated/server')).json, { oops: true });
});

test('a delay fault holds the answer, then the call proceeds normally', async () => {
  sim.addFault({ path: '/dedicated/server', times: 1, action: { type: 'delay', ms: 150 } });
  const started = Date.now();
  const result = await settle(client.requestPromised('GET', '/dedicated/server'));
  assert.ok(Date.now() - started >= 140);
  assert.deepEqual(result, { ok: true, value: [SN] });
  assert.equal(sim.requests().at(-1)?.fault, 'delay');
});

test('a delay combines with a status fault', async () => {
  sim.addFault({ path: '/dedicated/server', times: 1, action: { type: 'delay', ms: 80 } });
  sim.addFault({ path: '/dedicated/server', times: 1, action: { type: 'status', status: 500 } });
  const started = Date.now();
  assert.equal((await rawCall(sim, 'GET', '/dedicated/server')).status, 500);
  assert.ok(Date.now() - started >= 75);
});

test('a dropped connection destroys the socket without an answer', async () => {
  sim.addFault({ path: '/dedicated/server', times: 1, action: { type: 'drop' } });
  const result = await settle(client.requestPromised('GET', '/dedicated/server'));
  assert.equal(result.ok, false);
  sim.addFault({ path: '/dedicated/server', times: 1, action: { type: 'drop' } });
  await assert.rejects(rawCall(sim, 'GET', '/dedicated/server'), /socket hang up|ECONNRESET/);
  assert.equal(sim.stats().dropped, 2);
  assert.ok(
    sim
      .requests()
      .filter((r) => r.fault === 'drop')
      .every((r) => r.status === 0),
  );
  assert.deepEqual(await settle(client.requestPromised('GET', '/dedicated/server')), { ok: true, value: [SN] });
});

test('a stall never answers; the client must give up on its own', async () => {
  sim.addFault({ path: '/dedicated/server', times: 1, action: { type: 'stall' } });
  const controller = new AbortController();
  let outcome = 'still waiting';
  const pending = rawCall(sim, 'GET', '/dedicated/server', { signal: controller.signal });
  pending.then(
    () => (outcome = 'answered'),
    () => (outcome = 'failed'),
  );
  await waitUntil('the simulator to hold the request', () => sim.stallsHeld() === 1 || outcome !== 'still waiting');
  assert.equal(outcome, 'still waiting');
  assert.equal(sim.requests().filter((r) => r.fault === 'stall').length, 0, 'nothing answered or logged while it stalls');
  controller.abort();
  await assert.rejects(pending);
  // The simulator counts a stall when the client's socket closes.
  await waitUntil('the stalled request to be counted', () => sim.stats().stalled === 1, { seen: () => sim.stats() });
});

test('a malformed body is a 200 that does not parse', async () => {
  sim.addFault({ path: '/dedicated/server/*/virtualMac', times: 1, action: { type: 'malformed' } });
  const answer = await rawCall(sim, 'GET', VMAC);
  assert.equal(answer.status, 200);
  assert.throws(() => JSON.parse(answer.text));
  sim.addFault({ path: '/dedicated/server/*/virtualMac', times: 1, action: { type: 'malformed' } });
  assert.deepEqual(await settle(client.requestPromised('GET', VMAC)), {
    ok: false,
    error: '[OVH] Unable to parse JSON reponse',
    message: undefined,
  });
});

for (const outcome of ['ovhError', 'cancelled', 'customerError'] as const) {
  test(`a task ending ${outcome} does not apply its change`, async () => {
    sim.addFault({ method: 'DELETE', path: '/dedicated/server/*/virtualMac/*/virtualAddress/*', times: 1, action: { type: 'task', outcome } });
    const task = (await client.requestPromised('DELETE', DELETE_VIP)) as { taskId: number; status: string };
    assert.equal(task.status, 'todo');
    await sim.waitForTasks();
    const read = (await client.requestPromised('GET', `/dedicated/server/${SN}/task/${task.taskId}`)) as { status: string; comment: string };
    assert.equal(read.status, outcome);
    assert.deepEqual(sim.virtualAddresses(SN, MAC_003), [VIP, '178.32.70.111']);
    // The fault was used up: the next DELETE works.
    await client.requestPromised('DELETE', DELETE_VIP);
    await sim.waitForTasks();
    assert.deepEqual(sim.virtualAddresses(SN, MAC_003), ['178.32.70.111']);
  });
}

test('a task that never finishes stays doing and keeps the IP locked (409)', async () => {
  sim.addFault({ method: 'DELETE', path: '/dedicated/server/*', times: 1, action: { type: 'task', outcome: 'never' } });
  const task = (await client.requestPromised('DELETE', DELETE_VIP)) as { taskId: number };
  await sim.waitForTasks();
  sim.advanceTaskClock(3_600_000); // an hour later

  const read = (await client.requestPromised('GET', `/dedicated/server/${SN}/task/${task.taskId}`)) as { status: string };
  assert.equal(read.status, 'doing');
  const again = await settle(client.requestPromised('DELETE', DELETE_VIP));
  assert.equal((again as { error?: unknown }).error, 409);
  assert.deepEqual(sim.virtualAddresses(SN, MAC_003), [VIP, '178.32.70.111']);
  sim.cancelStuckTasks();
  assert.equal(sim.tasks().find((t) => t.taskId === task.taskId)?.status, 'cancelled');
});

test('task reads can fail transiently with 404 then 500 (Terraform retries those)', async () => {
  const task = (await client.requestPromised('DELETE', DELETE_VIP)) as { taskId: number };
  const taskPath = `/dedicated/server/${SN}/task/${task.taskId}`;
  sim.addFault({
    method: 'GET',
    path: '/dedicated/server/*/task/*',
    times: 1,
    action: { type: 'status', status: 404, message: `The requested object (taskId = ${task.taskId}) does not exist` },
  });
  sim.addFault({ method: 'GET', path: '/dedicated/server/*/task/*', times: 1, action: { type: 'status', status: 500 } });
  assert.equal(((await settle(client.requestPromised('GET', taskPath))) as { error?: unknown }).error, 404);
  assert.equal(((await settle(client.requestPromised('GET', taskPath))) as { error?: unknown }).error, 500);
  await sim.waitForTasks();
  assert.equal(((await client.requestPromised('GET', taskPath)) as { status: string }).status, 'done');
});

test('delays can change at runtime and apply to new tasks', async () => {
  sim.setDelays({ delete: 250 });
  assert.equal(sim.delays().delete, 250);
  const started = Date.now();
  await client.requestPromised('DELETE', DELETE_VIP);
  await sim.waitForTasks();
  assert.ok(Date.now() - started >= 240);
  sim.setDelays({ delete: 30 });
});

test('stats count requests per minute and 409s', async () => {
  for (let i = 0; i < 5; i++) await rawCall(sim, 'GET', '/dedicated/server');
  const stats = sim.stats();
  assert.equal(stats.total, 10, 'five /auth/time and five calls');
  assert.equal(stats.requestsLastMinute, 10);
  assert.equal(stats.maxRequestsPerMinute, 10);
  assert.equal(stats.conflicts, 0);
  assert.equal(stats.byStatus['200'], 10);
  sim.clearLog();
  assert.equal(sim.stats().total, 0);
});
