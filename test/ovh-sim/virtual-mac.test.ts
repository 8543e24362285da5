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
import { type NodeOvhClient, realOvhClient, settle, trustTestCaGlobally } from '../support/ovh-sim/test-clients.ts';

/**
 * Tasks take a minute on the tasks' clock, which the tests move on themselves
 * (completeTasks, advanceTaskClock): a task is pending for as long as a test
 * needs, however slowly the machine runs it.
 */
const DELAY = 60_000;
const VMAC = `/dedicated/server/${SN}/virtualMac`;

let sim: OvhSimulator;
let client: NodeOvhClient;

before(async () => {
  trustTestCaGlobally();
  sim = await startOvhSimulator({ delays: { delete: DELAY, add: DELAY, createMac: DELAY } });
  client = realOvhClient(sim);
});

beforeEach(async () => {
  await completeTasks();
  sim.setState(seedState());
  sim.clearFaults();
  sim.clearLog();
});

/** Every pending task reaches its end now. */
async function completeTasks(): Promise<void> {
  sim.advanceTaskClock(DELAY);
  await sim.waitForTasks();
}

after(async () => {
  await sim.close();
});

async function ok(method: string, path: string, params?: Record<string, unknown>): Promise<unknown> {
  const result = await settle(client.requestPromised(method, path, params));
  if (!result.ok) assert.fail(`${method} ${path} failed: ${String(result.error)} ${String(result.message)}`);
  return result.value;
}

test('read routes show the seed: MACs, their type, their IPs and VM names', async () => {
  assert.deepEqual(await ok('GET', '/dedicated/server'), [SN]);
  assert.deepEqual(await ok('GET', VMAC), [MAC_002, MAC_003]);
  assert.deepEqual(await ok('GET', `${VMAC}/${MAC_003}`), { macAddress: MAC_003, type: 'vmware' });
  assert.deepEqual(await ok('GET', `${VMAC}/${MAC_003}/virtualAddress`), [VIP, '178.32.70.111']);
  assert.deepEqual(await ok('GET', `${VMAC}/${MAC_003}/virtualAddress/${VIP}`), { ipAddress: VIP, virtualMachineName: 'router-003' });
  assert.deepEqual(await settle(client.requestPromised('GET', `${VMAC}/${MAC_002}/virtualAddress/${VIP}`)), {
    ok: false,
    error: 404,
    message: `The requested object (ipAddress = ${VIP}) does not exist`,
  });
});

test('the seed failover: DELETE and POST are accepted at once and take effect only when their task completes', async () => {
  const del = (await ok('DELETE', `${VMAC}/${MAC_003}/virtualAddress/${VIP}`)) as Record<string, unknown>;
  assert.equal(del.function, 'virtualMacDelete');
  assert.equal(del.status, 'todo');
  assert.equal(del.needSchedule, false);
  assert.equal(typeof del.startDate, 'string');
  assert.equal(del.doneDate, null);

  // Still visible, as in the seed log, until the task is done.
  assert.deepEqual(await ok('GET', `${VMAC}/${MAC_003}/virtualAddress`), [VIP, '178.32.70.111']);
  sim.advanceTaskClock(DELAY / 2);
  const doing = (await ok('GET', `/dedicated/server/${SN}/task/${String(del.taskId)}`)) as Record<string, unknown>;
  assert.equal(doing.status, 'doing');
  assert.deepEqual(await ok('GET', `${VMAC}/${MAC_003}/virtualAddress`), [VIP, '178.32.70.111']);
  sim.advanceTaskClock(DELAY / 2);
  const done = (await ok('GET', `/dedicated/server/${SN}/task/${String(del.taskId)}`)) as Record<string, unknown>;
  assert.equal(done.status, 'done');
  assert.equal(typeof done.doneDate, 'string');
  assert.deepEqual(await ok('GET', `${VMAC}/${MAC_003}/virtualAddress`), ['178.32.70.111']);

  const add = (await ok('POST', `${VMAC}/${MAC_002}/virtualAddress`, { ipAddress: VIP, virtualMachineName: 'router-002' })) as Record<string, unknown>;
  assert.equal(add.function, 'virtualMacAdd');
  assert.equal(add.status, 'todo');
  assert.deepEqual(await ok('GET', `${VMAC}/${MAC_002}/virtualAddress`), ['178.32.70.110']);
  await completeTasks();
  assert.deepEqual(await ok('GET', `${VMAC}/${MAC_002}/virtualAddress`), ['178.32.70.110', VIP]);
  assert.deepEqual(sim.locate(VIP)[0], { via: 'virtual-mac', server: SN, mac: MAC_002, virtualMachineName: 'router-002' });
  assert.deepEqual(await ok('GET', `/dedicated/server/${SN}/task`, { function: 'virtualMacAdd', status: 'done' }), [add.taskId]);
  assert.equal(sim.conflicts, 0);
});

test('a second mutation on an IP with a pending task is 409, and counted', async () => {
  await ok('DELETE', `${VMAC}/${MAC_003}/virtualAddress/${VIP}`);
  const again = await settle(client.requestPromised('DELETE', `${VMAC}/${MAC_003}/virtualAddress/${VIP}`));
  assert.equal(again.ok, false);
  assert.equal((again as { error: unknown }).error, 409);
  const early = await settle(client.requestPromised('POST', `${VMAC}/${MAC_002}/virtualAddress`, { ipAddress: VIP, virtualMachineName: 'r' }));
  assert.equal((early as { error: unknown }).error, 409);
  assert.equal(sim.conflicts, 2);
  assert.equal(sim.stats().conflicts, 2);
  assert.equal(sim.stats().byStatus['409'], 2);
  await completeTasks();
  // Once done, the POST goes through.
  await ok('POST', `${VMAC}/${MAC_002}/virtualAddress`, { ipAddress: VIP, virtualMachineName: 'router-002' });
});

test('removing the last IP of a vMAC deletes the vMAC', async () => {
  const del = (await ok('DELETE', `${VMAC}/${MAC_002}/virtualAddress/178.32.70.110`)) as Record<string, unknown>;
  assert.equal(del.function, 'removeVirtualMac');
  assert.deepEqual(await ok('GET', VMAC), [MAC_002, MAC_003]);
  await completeTasks();
  assert.deepEqual(await ok('GET', VMAC), [MAC_003]);
  assert.equal(((await settle(client.requestPromised('GET', `${VMAC}/${MAC_002}/virtualAddress`))) as { error?: unknown }).error, 404);
});

test('POST of an IP that sits on another vMAC is refused with a 400', async () => {
  const tasksBefore = sim.tasks().length;
  const result = await settle(client.requestPromised('POST', `${VMAC}/${MAC_002}/virtualAddress`, { ipAddress: VIP, virtualMachineName: 'r' }));
  assert.equal(result.ok, false);
  assert.equal((result as { error: unknown }).error, 400);
  assert.match(String((result as { message: unknown }).message), new RegExp(`already linked to the virtual MAC ${MAC_003}`));
  const same = await settle(client.requestPromised('POST', `${VMAC}/${MAC_003}/virtualAddress`, { ipAddress: VIP, virtualMachineName: 'r' }));
  assert.equal((same as { error: unknown }).error, 400);
  assert.equal(sim.tasks().length, tasksBefore, 'no task scheduled');
  assert.equal(sim.conflicts, 0);
});

test('POST /virtualMac creates a vMAC with its first IP when the task completes', async () => {
  sim.setState({
    ...seedState(),
    ips: { ...seedState().ips, '178.32.70.112': { routedTo: SN }, '203.0.113.9': { routedTo: 'ns-other.example' } },
  });
  const task = (await ok('POST', VMAC, { ipAddress: '178.32.70.112', type: 'vmware', virtualMachineName: 'router-004' })) as Record<string, unknown>;
  assert.equal(task.function, 'addVirtualMac');
  assert.equal(((await ok('GET', VMAC)) as string[]).length, 2);
  await completeTasks();
  const macs = (await ok('GET', VMAC)) as string[];
  assert.equal(macs.length, 3);
  const created = macs.find((m) => m !== MAC_002 && m !== MAC_003) ?? '';
  assert.match(created, /^00:50:56:[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}$/);
  assert.deepEqual(await ok('GET', `${VMAC}/${created}/virtualAddress/178.32.70.112`), {
    ipAddress: '178.32.70.112',
    virtualMachineName: 'router-004',
  });
  // An IP routed elsewhere, a bad type, a missing name: 400.
  for (const body of [
    { ipAddress: '203.0.113.9', type: 'ovh', virtualMachineName: 'x' },
    { ipAddress: '178.32.70.113', type: 'kvm', virtualMachineName: 'x' },
    { ipAddress: '178.32.70.113', type: 'ovh' },
    { ipAddress: 'not-an-ip', type: 'ovh', virtualMachineName: 'x' },
  ]) {
    assert.equal(((await settle(client.requestPromised('POST', VMAC, body))) as { error?: unknown }).error, 400, JSON.stringify(body));
  }
});

test('unknown server, MAC and task answer OVH-style 404s', async () => {
  for (const [path, what] of [
    ['/dedicated/server/ns-unknown.example/virtualMac', 'serviceName = ns-unknown.example'],
    [`${VMAC}/00:00:00:00:00:01/virtualAddress`, 'macAddress = 00:00:00:00:00:01'],
    [`/dedicated/server/${SN}/task/1`, 'taskId = 1'],
  ] as const) {
    assert.deepEqual(await settle(client.requestPromised('GET', path)), {
      ok: false,
      error: 404,
      message: `The requested object (${what}) does not exist`,
    });
  }
});
