import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { cloudModelProblems } from '../support/ovh-sim/cloud-schema.ts';
import { type OvhSimulator, type SimState, startOvhSimulator } from '../support/ovh-sim/index.ts';
import { rawCall, realOvhClient, settle, trustTestCaGlobally } from '../support/ovh-sim/test-clients.ts';
import { OVH_CONSUMER_KEY } from '../support/secrets.ts';

/** Seed 002's project: two OpenBSD edge instances and the failover IP the master holds. */
const PROJECT = 't18s';
const FIP = '146.59.143.231';
const BASE = `/cloud/project/${PROJECT}`;
const READER_CK = 'ck-cloud-reader-0001';
const ATTACHER_CK = 'ck-cloud-attacher-0001';

function world(): SimState {
  return {
    dedicated: {},
    ips: {},
    cloud: {
      [PROJECT]: {
        instances: [
          { id: 'a1b2c3d4-0001', name: 'bi-edge-sbg-1', region: 'SBG5', publicIp: '51.75.0.10' },
          { id: 'a1b2c3d4-0002', name: 'bi-edge-sbg-2', region: 'SBG5', publicIp: '51.75.0.11' },
        ],
        failoverIps: [{ id: 'fo-0001', ip: FIP, routedTo: 'a1b2c3d4-0001' }],
      },
    },
  };
}

let sim: OvhSimulator;

before(async () => {
  trustTestCaGlobally();
  sim = await startOvhSimulator({
    delays: { attach: 150 },
    state: world(),
    consumers: {
      [OVH_CONSUMER_KEY]: {
        rules: [
          { method: 'GET', path: '/*' },
          { method: 'POST', path: '/*' },
        ],
      },
      [READER_CK]: { rules: [{ method: 'GET', path: '/cloud/project/*' }] },
      [ATTACHER_CK]: {
        rules: [
          { method: 'GET', path: '/cloud/project/*' },
          { method: 'POST', path: '/cloud/project/*/ip/failover/*/attach' },
        ],
      },
    },
  });
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

async function failover(): Promise<Record<string, unknown>> {
  const client = realOvhClient(sim);
  const list = (await client.requestPromised('GET', `${BASE}/ip/failover`)) as unknown[];
  assert.equal(list.length, 1);
  return list[0] as Record<string, unknown>;
}

test("every Public Cloud answer fits its model in OVH's cloud schema", async () => {
  const client = realOvhClient(sim);
  const list = (await client.requestPromised('GET', `${BASE}/ip/failover`)) as unknown[];
  for (const fip of list) assert.deepEqual(cloudModelProblems(fip, 'cloud.ip.FailoverIp'), []);
  assert.deepEqual(cloudModelProblems(await client.requestPromised('GET', `${BASE}/ip/failover/fo-0001`), 'cloud.ip.FailoverIp'), []);
  const instances = (await client.requestPromised('GET', `${BASE}/instance`)) as Array<Record<string, unknown>>;
  assert.deepEqual(
    instances.map((i) => i.name),
    ['bi-edge-sbg-1', 'bi-edge-sbg-2'],
  );
  for (const instance of instances) assert.deepEqual(cloudModelProblems(instance, 'cloud.instance.Instance'), []);
  assert.deepEqual(((await client.requestPromised('GET', `${BASE}/instance`, { region: 'GRA11' })) as unknown[]).length, 0);
  const detail = await client.requestPromised('GET', `${BASE}/instance/a1b2c3d4-0002`);
  assert.deepEqual(cloudModelProblems(detail, 'cloud.instance.InstanceDetail'), []);
  // Held pending (a `never` fault) so the pending shape can be read without racing the delay.
  sim.addFault({ method: 'POST', path: '/cloud/project/*/ip/failover/*/attach', times: 1, action: { type: 'task', outcome: 'never' } });
  const attached = await client.requestPromised('POST', `${BASE}/ip/failover/fo-0001/attach`, { instanceId: 'a1b2c3d4-0002' });
  assert.deepEqual(cloudModelProblems(attached, 'cloud.ip.FailoverIp'), []);
  const pending = await failover();
  assert.deepEqual(cloudModelProblems(pending, 'cloud.ip.FailoverIp'), []);
  assert.equal(pending.status, 'operationPending');
  // The checker itself catches what does not fit.
  assert.notDeepEqual(cloudModelProblems({ ...pending, status: 'moving', region: 'GRA' }, 'cloud.ip.FailoverIp'), []);
  // The request body the attach took fits its model too.
  const sent = sim.requests().find((r) => r.method === 'POST');
  assert.deepEqual(cloudModelProblems(sent?.body, 'cloud.ProjectIpFailoverAttachCreation'), []);
});

test('attach is atomic: operationPending with the old routedTo while it runs, then ok on the new instance', async () => {
  const client = realOvhClient(sim);
  sim.addFault({ method: 'POST', path: '/cloud/project/*/ip/failover/*/attach', times: 1, action: { type: 'task', outcome: 'never' } });
  const held = (await client.requestPromised('POST', `${BASE}/ip/failover/fo-0001/attach`, { instanceId: 'a1b2c3d4-0002' })) as Record<string, unknown>;
  assert.deepEqual([held.status, held.routedTo, held.progress], ['operationPending', 'a1b2c3d4-0001', 0]);
  const pending = await failover();
  assert.deepEqual([pending.status, pending.routedTo], ['operationPending', 'a1b2c3d4-0001']);
  // A second attach while one is pending: 409.
  const second = await rawCall(sim, 'POST', `${BASE}/ip/failover/fo-0001/attach`, { body: { instanceId: 'a1b2c3d4-0001' } });
  assert.equal(second.status, 409);
  // An operation that never completes and is cancelled leaves the IP where it was.
  sim.cancelStuckTasks();
  const cancelled = await failover();
  assert.deepEqual([cancelled.status, cancelled.routedTo], ['ok', 'a1b2c3d4-0001']);

  const answer = (await client.requestPromised('POST', `${BASE}/ip/failover/fo-0001/attach`, { instanceId: 'a1b2c3d4-0002' })) as Record<string, unknown>;
  assert.equal(answer.routedTo, 'a1b2c3d4-0001');
  await sim.waitForTasks();
  const done = await failover();
  assert.deepEqual([done.status, done.routedTo, done.progress], ['ok', 'a1b2c3d4-0002', 100]);
  // Attaching where it already is answers at once, with nothing pending.
  const again = (await client.requestPromised('POST', `${BASE}/ip/failover/fo-0001/attach`, { instanceId: 'a1b2c3d4-0002' })) as Record<string, unknown>;
  assert.equal(again.status, 'ok');
  assert.deepEqual(sim.locate(FIP), [{ via: 'cloud-failover', project: PROJECT, failoverIpId: 'fo-0001', instanceId: 'a1b2c3d4-0002' }]);
});

test('the "instance IP not allocated yet" switch answers 400 to the next N attaches and changes nothing', async () => {
  sim.setState({
    ...world(),
    cloud: {
      [PROJECT]: {
        ...world().cloud[PROJECT]!,
        instances: [
          { id: 'a1b2c3d4-0001', name: 'bi-edge-sbg-1' },
          { id: 'a1b2c3d4-0002', name: 'bi-edge-sbg-2', ipNotAllocatedAttaches: 2 },
        ],
      },
    },
  });
  for (let i = 0; i < 2; i++) {
    const refused = await rawCall(sim, 'POST', `${BASE}/ip/failover/fo-0001/attach`, { body: { instanceId: 'a1b2c3d4-0002' } });
    assert.equal(refused.status, 400);
    assert.match(String((refused.json as { message?: unknown }).message), /instance IP not allocated yet/);
    assert.equal((await failover()).status, 'ok');
  }
  const third = await rawCall(sim, 'POST', `${BASE}/ip/failover/fo-0001/attach`, { body: { instanceId: 'a1b2c3d4-0002' } });
  assert.equal(third.status, 200);
  await sim.waitForTasks();
  assert.equal((await failover()).routedTo, 'a1b2c3d4-0002');
});

test('access rules: a read-only key is refused the attach (403 NOT_GRANTED_CALL); the least-privilege key may', async () => {
  const denied = await rawCall(sim, 'POST', `${BASE}/ip/failover/fo-0001/attach`, { body: { instanceId: 'a1b2c3d4-0002' }, sign: { consumerKey: READER_CK } });
  assert.equal(denied.status, 403);
  assert.equal((denied.json as { errorCode?: string }).errorCode, 'NOT_GRANTED_CALL');
  assert.equal((await rawCall(sim, 'GET', `${BASE}/ip/failover`, { sign: { consumerKey: READER_CK } })).status, 200);
  assert.equal((await failover()).status, 'ok');
  const allowed = await rawCall(sim, 'POST', `${BASE}/ip/failover/fo-0001/attach`, {
    body: { instanceId: 'a1b2c3d4-0002' },
    sign: { consumerKey: ATTACHER_CK },
  });
  assert.equal(allowed.status, 200);
});

test('bad input and faults: unknown project/IP 404, unknown instance 400, injected 500 and failed operations', async () => {
  const client = realOvhClient(sim);
  assert.equal((await rawCall(sim, 'GET', '/cloud/project/nope/ip/failover')).status, 404);
  assert.equal((await rawCall(sim, 'GET', `${BASE}/ip/failover/fo-9999`)).status, 404);
  assert.equal((await rawCall(sim, 'POST', `${BASE}/ip/failover/fo-0001/attach`, { body: { instanceId: 'nope' } })).status, 400);
  assert.equal((await rawCall(sim, 'POST', `${BASE}/ip/failover/fo-0001/attach`, { body: {} })).status, 400);

  sim.addFault({ method: 'POST', path: '/cloud/project/*/ip/failover/*/attach', times: 1, action: { type: 'status', status: 500 } });
  assert.deepEqual((await settle(client.requestPromised('POST', `${BASE}/ip/failover/fo-0001/attach`, { instanceId: 'a1b2c3d4-0002' }))).ok, false);
  assert.equal((await failover()).routedTo, 'a1b2c3d4-0001');

  // An operation OVH gives up on: pending for the delay, then ok where it was.
  sim.addFault({ method: 'POST', path: '/cloud/project/*/ip/failover/*/attach', times: 1, action: { type: 'task', outcome: 'ovhError' } });
  await client.requestPromised('POST', `${BASE}/ip/failover/fo-0001/attach`, { instanceId: 'a1b2c3d4-0002' });
  await sim.waitForTasks();
  const after = await failover();
  assert.deepEqual([after.status, after.routedTo], ['ok', 'a1b2c3d4-0001']);
});
