/**
 * The simulator's dialects: each undocumented OVH behaviour as a switch, and
 * what the API then answers (raw HTTP, so statuses and bodies are seen as sent).
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import {
  DEFAULT_DIALECTS,
  type OvhSimulator,
  SEED_MAC_ROUTER_002 as MAC_002,
  SEED_MAC_ROUTER_003 as MAC_003,
  SEED_SERVER as SN,
  SEED_VIP as VIP,
  seedState,
  startOvhSimulator,
} from '../support/ovh-sim/index.ts';
import { rawCall, serverTime } from '../support/ovh-sim/test-clients.ts';
import { waitFor } from '../support/world.ts';

const VMAC = `/dedicated/server/${SN}/virtualMac`;
let sim: OvhSimulator;

before(async () => {
  sim = await startOvhSimulator({ delays: { delete: 40, add: 40 } });
});

beforeEach(async () => {
  sim.cancelStuckTasks();
  // A task the previous test left (under its dialect's 10 s lag, say) ends now: the task clock skips its wait.
  sim.advanceTaskClock(60_000);
  await sim.waitForTasks();
  sim.setDialects(DEFAULT_DIALECTS);
  sim.setState(seedState());
  sim.clearFaults();
  sim.clearLog();
});

after(() => sim.close());

test('defaults are the original guesses: DELETE of an absent IP 404, POST of an IP on another vMAC 400', async () => {
  assert.equal((await rawCall(sim, 'DELETE', `${VMAC}/${MAC_002}/virtualAddress/${VIP}`)).status, 404);
  assert.equal((await rawCall(sim, 'POST', `${VMAC}/${MAC_002}/virtualAddress`, { body: { ipAddress: VIP, virtualMachineName: 'router-002' } })).status, 400);
});

test('deleteAbsent 400 and postElsewhere 409 switch those answers', async () => {
  sim.setDialects({ deleteAbsent: 400, postElsewhere: 409 });
  const del = await rawCall(sim, 'DELETE', `${VMAC}/${MAC_002}/virtualAddress/${VIP}`);
  assert.equal(del.status, 400);
  assert.equal((del.json as { class?: string }).class, 'Client::BadRequest');
  const post = await rawCall(sim, 'POST', `${VMAC}/${MAC_002}/virtualAddress`, { body: { ipAddress: VIP, virtualMachineName: 'router-002' } });
  assert.equal(post.status, 409);
  assert.match((post.json as { message: string }).message, new RegExp(`already linked to the virtual MAC ${MAC_003}`));
  assert.deepEqual(sim.virtualAddresses(SN, MAC_003), [VIP, '178.32.70.111'], 'refused calls change nothing');
});

test('listChange list-first: the address list changes while the task is still doing, and a POST of that IP answers 409 until it ends', async () => {
  // A long lag: on a loaded machine the reads below must still fall inside it.
  sim.setDialects({ listChange: 'list-first', listLagMs: 10_000 });
  const del = await rawCall(sim, 'DELETE', `${VMAC}/${MAC_003}/virtualAddress/${VIP}`);
  assert.equal(del.status, 200);
  const taskId = (del.json as { taskId: number }).taskId;
  await waitFor(() => !sim.virtualAddresses(SN, MAC_003).includes(VIP), 10_000, 'the list to change');
  const task = await rawCall(sim, 'GET', `/dedicated/server/${SN}/task/${taskId}`);
  assert.equal((task.json as { status: string }).status, 'doing');
  const pending = await rawCall(sim, 'GET', `/dedicated/server/${SN}/task?function=virtualMacDelete&status=doing`);
  assert.deepEqual(pending.json, [taskId]);
  const post = await rawCall(sim, 'POST', `${VMAC}/${MAC_002}/virtualAddress`, { body: { ipAddress: VIP, virtualMachineName: 'router-002' } });
  assert.equal(post.status, 409);
  // The rest of the lag proves nothing more: the task clock skips it.
  sim.advanceTaskClock(10_000);
  await sim.waitForTasks();
  assert.equal(((await rawCall(sim, 'GET', `/dedicated/server/${SN}/task/${taskId}`)).json as { status: string }).status, 'done');
  assert.equal((await rawCall(sim, 'POST', `${VMAC}/${MAC_002}/virtualAddress`, { body: { ipAddress: VIP, virtualMachineName: 'router-002' } })).status, 200);
});

test('listChange task-first: the task ends done before the address list shows the change', async () => {
  sim.setDialects({ listChange: 'task-first', listLagMs: 3000 });
  const del = await rawCall(sim, 'DELETE', `${VMAC}/${MAC_003}/virtualAddress/${VIP}`);
  const taskId = (del.json as { taskId: number }).taskId;
  await waitFor(() => sim.tasks().find((t) => t.taskId === taskId)?.status === 'done', 5000, 'the task to end');
  const status = ((await rawCall(sim, 'GET', `/dedicated/server/${SN}/task/${taskId}`)).json as { status: string }).status;
  assert.equal(status, 'done');
  assert.ok(sim.virtualAddresses(SN, MAC_003).includes(VIP), 'the list still shows the IP');
  sim.advanceTaskClock(3000);
  await sim.waitForTasks();
  assert.ok(!sim.virtualAddresses(SN, MAC_003).includes(VIP));
});

test('taskNotFoundReads: a task answers 404 for its first N reads, then itself', async () => {
  sim.setDialects({ taskNotFoundReads: 2 });
  const del = await rawCall(sim, 'DELETE', `${VMAC}/${MAC_003}/virtualAddress/${VIP}`);
  const taskId = (del.json as { taskId: number }).taskId;
  const path = `/dedicated/server/${SN}/task/${taskId}`;
  assert.equal((await rawCall(sim, 'GET', path)).status, 404);
  assert.equal((await rawCall(sim, 'GET', path)).status, 404);
  const third = await rawCall(sim, 'GET', path);
  assert.equal(third.status, 200);
  assert.equal((third.json as { taskId: number }).taskId, taskId);
});

test('html408 before: each call is first answered by an HTML 408 and not carried out; the same call again works', async () => {
  sim.setDialects({ html408: 'before' });
  // /auth/time has its own first 408 too: the second read is the time.
  const timestamp = await serverTime(sim).then(() => serverTime(sim));
  const path = `${VMAC}/${MAC_003}/virtualAddress/${VIP}`;
  const tasksBefore = sim.tasks().length;
  const first = await rawCall(sim, 'DELETE', path, { timestamp });
  assert.equal(first.status, 408);
  assert.equal(first.headers['content-type'], 'text/html');
  assert.match(first.text, /<h1>408 Request Time-out<\/h1>/);
  assert.equal(sim.tasks().length, tasksBefore, 'not carried out');
  assert.equal((await rawCall(sim, 'DELETE', path, { timestamp })).status, 200);
  // Another call has its own first 408.
  assert.equal((await rawCall(sim, 'GET', `${VMAC}/${MAC_002}/virtualAddress`, { timestamp })).status, 408);
  assert.equal((await rawCall(sim, 'GET', `${VMAC}/${MAC_002}/virtualAddress`, { timestamp })).status, 200);
});

test('html408 after: the call is carried out and its answer lost as an HTML 408', async () => {
  sim.setDialects({ html408: 'after' });
  const timestamp = await serverTime(sim).then(() => serverTime(sim));
  const tasksBefore = sim.tasks().length;
  const first = await rawCall(sim, 'DELETE', `${VMAC}/${MAC_003}/virtualAddress/${VIP}`, { timestamp });
  assert.equal(first.status, 408);
  assert.equal(sim.tasks().length, tasksBefore + 1, 'the DELETE was carried out');
  await sim.waitForTasks();
  assert.ok(!sim.virtualAddresses(SN, MAC_003).includes(VIP));
});

test('virtualMacs 30: the server shows 30 vMACs, each with its own IP, the seed routers among them; a new state is filled too', async () => {
  sim.setDialects({ virtualMacs: 30 });
  const macs = (await rawCall(sim, 'GET', VMAC)).json as string[];
  assert.equal(macs.length, 30);
  assert.ok(macs.includes(MAC_002) && macs.includes(MAC_003));
  const other = macs.find((mac) => mac !== MAC_002 && mac !== MAC_003) ?? '';
  const ips = (await rawCall(sim, 'GET', `${VMAC}/${other}/virtualAddress`)).json as string[];
  assert.equal(ips.length, 1);
  assert.match(ips[0] ?? '', /^198\.51\.100\.\d+$/);
  sim.setState(seedState());
  assert.equal(((await rawCall(sim, 'GET', VMAC)).json as string[]).length, 30);
});
