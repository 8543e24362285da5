import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import type { ClaimContext, LogPort } from '../../src/core/ports/index.ts';
import { CarpOvhError } from '../../src/errors.ts';
import { IpMoveProvider } from '../../src/providers/ip-move/index.ts';
import { OvhApi } from '../../src/providers/ovh/api.ts';
import { createOvhClient, type OvhClient } from '../../src/providers/ovh/client.ts';
import { CA_PATH } from '../support/certs.ts';
import { type OvhSimulator, type SimState, startOvhSimulator } from '../support/ovh-sim/index.ts';
import { rawCall } from '../support/ovh-sim/test-clients.ts';
import { OVH_APPLICATION_KEY, OVH_APPLICATION_SECRET, OVH_CONSUMER_KEY } from '../support/secrets.ts';
import { waitUntil } from '../support/wait.ts';

/** `via: ip-move` against the OVH simulator, through the real client. */

const PEER = 'ns-peer.example';
const OURS = 'ns-ours.example';
const OTHER = 'ns-other.example';
const VIPS = ['203.0.113.80', '203.0.113.81', '203.0.113.82'];
const VIP = VIPS[0] ?? '';
const POLL_MS = 20;
const MOVE_MS = 60;

function world(): SimState {
  return {
    dedicated: { [PEER]: { virtualMacs: {} }, [OURS]: { virtualMacs: {}, nexthops: ['198.51.100.7'] }, [OTHER]: { virtualMacs: {} } },
    ips: Object.fromEntries(VIPS.map((ip) => [ip, { routedTo: PEER, type: 'failover' }])),
    cloud: {},
  };
}

let sim: OvhSimulator;
let client: OvhClient;

before(async () => {
  sim = await startOvhSimulator({ state: world(), delays: { move: MOVE_MS } });
  client = createOvhClient({
    url: sim.url,
    ca: CA_PATH,
    timeoutMs: 5000,
    credentials: { applicationKey: OVH_APPLICATION_KEY, applicationSecret: OVH_APPLICATION_SECRET, consumerKey: OVH_CONSUMER_KEY },
  });
});

beforeEach(async () => {
  sim.clearFaults();
  sim.cancelStuckTasks();
  await sim.waitForTasks();
  sim.setState(world());
  sim.setDelays({ move: MOVE_MS });
  sim.setDialects({ movePendingStatus: 409 });
  sim.setConsumer(OVH_CONSUMER_KEY, { rules: ['GET', 'POST', 'PUT', 'DELETE'].map((method) => ({ method: method as 'GET', path: '/*' })) });
  sim.clearLog();
});

after(async () => {
  client.close();
  await sim.close();
});

function provider(overrides: { nexthop?: string | null; retries?: number } = {}): IpMoveProvider {
  const api = new OvhApi(client, { retries: 2, retryDelayMs: POLL_MS });
  return new IpMoveProvider({ server: OURS, nexthop: overrides.nexthop ?? null, api, pollIntervalMs: POLL_MS, retries: overrides.retries ?? 2 });
}

interface Harness {
  ctx: ClaimContext;
  /** Request sequence numbers at which a fresh (mutation) guard ran. */
  freshGuards: number[];
  lines: Array<{ level: string; msg: string }>;
  loseMaster(): void;
}

function harness(deadlineMs = 20_000): Harness {
  const lines: Array<{ level: string; msg: string }> = [];
  const freshGuards: number[] = [];
  let master = true;
  const record = (level: string) => (a: unknown, b?: unknown) => void lines.push({ level, msg: String(typeof a === 'string' ? a : b) });
  const log = { info: record('info'), warn: record('warn'), error: record('error'), debug: record('debug') } as LogPort;
  const ctx: ClaimContext = {
    signal: AbortSignal.timeout(deadlineMs),
    deadline: Date.now() + deadlineMs,
    log,
    guard: async (options = {}) => {
      if ((options.maxAgeMs ?? 0) === 0) freshGuards.push(sim.requests().length);
      if (!master) throw new CarpOvhError('no longer MASTER', { source: 'claim', isCanceled: true });
    },
  };
  return {
    ctx,
    freshGuards,
    lines,
    loseMaster: () => {
      master = false;
    },
  };
}

const request = (addresses: string[]) => ({ addresses, mac: '', vmName: null });
const posts = () => sim.requests().filter((r) => r.method === 'POST');
const routed = (ip: string) => sim.locate(ip).find((p) => p.via === 'ip-move');

test('an IP routed to the peer is moved here: one move, task polled, route read back; a fresh guard before the POST', async () => {
  const h = harness();
  const [outcome] = await provider().claim(request([VIP]), h.ctx);
  assert.equal(outcome?.result, 'moved');
  assert.equal(outcome?.from, PEER);
  assert.deepEqual(routed(VIP), { via: 'ip-move', server: OURS });
  assert.deepEqual(
    posts().map((r) => [r.path, r.body, r.status]),
    [[`/1.0/ip/${VIP}%2F32/move`, { to: OURS }, 200]],
  );
  const paths = sim.requests().map((r) => `${r.method} ${r.path}`);
  const postAt = paths.indexOf(`POST /1.0/ip/${VIP}%2F32/move`);
  // Located, preflighted and checked for pending moves before; polled and read back after.
  for (const before of [`GET /1.0/ip/${VIP}%2F32`, `GET /1.0/ip/${VIP}%2F32/move`, `GET /1.0/ip/${VIP}%2F32/task?function=genericMoveFloatingIp&status=todo`]) {
    assert.ok(paths.indexOf(before) >= 0 && paths.indexOf(before) < postAt, before);
  }
  assert.ok(paths.slice(postAt).some((p) => /\/task\/\d+$/.test(p)));
  assert.equal(paths.at(-1), `GET /1.0/ip/${VIP}%2F32`);
  assert.deepEqual(h.freshGuards, [postAt]);
  assert.deepEqual(
    outcome?.steps.map((s) => s.step),
    ['locate', 'move', 'wait-moved'],
  );
  assert.equal(sim.conflicts, 0);
  assert.ok(sim.requests().every((r) => r.status === 200));
});

test('an IP already routed here costs one read and no change', async () => {
  sim.setState({ ...world(), ips: { [VIP]: { routedTo: OURS } } });
  const h = harness();
  const outcomes = await provider().claim(request([VIP]), h.ctx);
  assert.deepEqual(
    outcomes.map((o) => o.result),
    ['already-here'],
  );
  assert.deepEqual(
    sim.requests().map((r) => `${r.method} ${r.path}`),
    [`GET /1.0/ip/${VIP}%2F32`],
  );
  assert.deepEqual(h.freshGuards, []);
});

test('several VIPs move in parallel, each with its own task, with nexthop when configured', async () => {
  // Every move is held until all three were sent: one after the other could never get there.
  sim.addFault({ method: 'POST', path: '/ip/*/move', times: 3, action: { type: 'task', outcome: 'never' } });
  const h = harness();
  const claim = provider({ nexthop: '198.51.100.7' }).claim(request(VIPS), h.ctx);
  await waitUntil('the three moves to be posted', () => posts().length === 3);
  sim.releaseStuckTasks();
  const outcomes = await claim;
  assert.deepEqual(
    outcomes.map((o) => o.result),
    ['moved', 'moved', 'moved'],
  );
  for (const ip of VIPS) assert.deepEqual(routed(ip), { via: 'ip-move', server: OURS });
  assert.deepEqual(
    posts().map((r) => r.body),
    VIPS.map(() => ({ to: OURS, nexthop: '198.51.100.7' })),
  );
  assert.deepEqual(new Set(posts().map((r) => r.path)), new Set(VIPS.map((ip) => `/1.0/ip/${ip}%2F32/move`)));
});

test("a move already pending on the IP (the peer's, to another server) is waited out before ours is sent: no 409", async () => {
  sim.addFault({ method: 'POST', path: '/ip/*/move', times: 1, action: { type: 'task', outcome: 'never' } });
  const theirs = await rawCall(sim, 'POST', `/ip/${VIP}%2F32/move`, { body: { to: OTHER } });
  assert.equal(theirs.status, 200);
  const theirId = (theirs.json as { taskId: number }).taskId;
  sim.clearLog();
  const h = harness();
  const claim = provider().claim(request([VIP]), h.ctx);
  // The claim polls their task and sends nothing while it is pending.
  await waitUntil('two reads of the other move task', () => sim.requests().filter((r) => r.path.endsWith(`/task/${theirId}`)).length >= 2);
  assert.deepEqual(posts(), []);
  sim.releaseStuckTasks();
  const [outcome] = await claim;
  assert.equal(outcome?.result, 'moved');
  assert.deepEqual(
    outcome?.steps.map((s) => s.step),
    ['locate', 'wait-pending', 'move', 'wait-moved'],
  );
  assert.equal(sim.conflicts, 0);
  assert.equal(posts().length, 1);
  assert.deepEqual(routed(VIP), { via: 'ip-move', server: OURS });
});

test('preflight: a server OVH does not offer, a next hop it does not list, or a key without POST /ip/*/move changes nothing', async () => {
  const cases: Array<{ setup: () => void; nexthop?: string; message: RegExp }> = [
    {
      setup: () => sim.setState({ ...world(), ips: { [VIP]: { routedTo: PEER, destinations: [OTHER] } } }),
      message: /ns-ours.example is not a destination OVH offers for 203.0.113.80 \(it offers: ns-other.example\)/,
    },
    { setup: () => undefined, nexthop: '198.51.100.99', message: /next hop 198.51.100.99 is not one OVH offers/ },
    { setup: () => sim.setConsumer(OVH_CONSUMER_KEY, { rules: [{ method: 'GET', path: '/*' }] }), message: /lacks POST \/ip\/\*\/move/ },
    {
      setup: () =>
        sim.setConsumer(OVH_CONSUMER_KEY, {
          rules: [
            { method: 'GET', path: '/ip/*/task*' },
            { method: 'GET', path: '/ip/*/32' },
            { method: 'POST', path: '/ip/*' },
          ],
        }),
      message: /may not call GET \/ip\/\*\/move/,
    },
  ];
  for (const c of cases) {
    sim.setState(world());
    c.setup();
    sim.clearLog();
    const h = harness();
    await assert.rejects(provider({ nexthop: c.nexthop ?? null }).claim(request(VIPS.slice(0, 1)), h.ctx), (error: CarpOvhError) => {
      assert.match(error.message, c.message);
      return true;
    });
    assert.deepEqual(posts(), []);
    assert.deepEqual(h.freshGuards, []);
    assert.deepEqual(routed(VIP), { via: 'ip-move', server: PEER });
    sim.setConsumer(OVH_CONSUMER_KEY, { rules: ['GET', 'POST'].map((method) => ({ method: method as 'GET', path: '/*' })) });
  }
});

test('outcome unknown: a move OVH took but whose answer was lost is found by reading back, and not sent twice', async () => {
  sim.setDelays({ move: 300 });
  sim.addFault({ method: 'POST', path: '/ip/*/move', times: 1, action: { type: 'lose-answer' } });
  const h = harness();
  const [outcome] = await provider().claim(request([VIP]), h.ctx);
  assert.equal(outcome?.result, 'moved');
  assert.equal(posts().length, 1);
  assert.equal(posts()[0]?.fault, 'lose-answer');
  assert.equal(sim.conflicts, 0);
  assert.ok(h.lines.some((l) => l.level === 'warn' && /reading OVH's state back/.test(l.msg)));
  assert.deepEqual(routed(VIP), { via: 'ip-move', server: OURS });
});

test("outcome unknown: a 5xx or a 409 on the POST is read back; OVH's state decides whether to send again", async () => {
  for (const [status, dialect] of [
    [502, 409],
    [409, 409],
    [400, 400],
  ] as const) {
    sim.setState(world());
    sim.setDialects({ movePendingStatus: dialect });
    sim.clearLog();
    if (status === 502) {
      sim.addFault({ method: 'POST', path: '/ip/*/move', times: 1, action: { type: 'status', status: 502 } });
    } else {
      // The peer's move, sent between our pending check and our POST: OVH answers "already in progress".
      sim.addFault({ method: 'GET', path: '/ip/*/task', times: 3, action: { type: 'status', status: 200, body: [] } });
      sim.setDelays({ move: 200 });
      assert.equal((await rawCall(sim, 'POST', `/ip/${VIP}%2F32/move`, { body: { to: OTHER } })).status, 200);
    }
    const [outcome] = await provider().claim(request([VIP]), harness().ctx);
    assert.equal(outcome?.result, 'moved', `status ${status}`);
    assert.deepEqual(routed(VIP), { via: 'ip-move', server: OURS });
    const statuses = posts().map((r) => r.status);
    assert.equal(statuses.at(-1), 200);
    assert.ok(statuses.length <= 3, statuses.join(','));
    await sim.waitForTasks();
    sim.setDelays({ move: MOVE_MS });
  }
});

test('a move task that fails is sent once more; two failures fail the address with the task status', async () => {
  sim.addFault({ method: 'POST', path: '/ip/*/move', times: 1, action: { type: 'task', outcome: 'ovhError' } });
  const [once] = await provider().claim(request([VIP]), harness().ctx);
  assert.equal(once?.result, 'moved');
  assert.equal(posts().length, 2);

  sim.setState(world());
  sim.clearLog();
  sim.addFault({ method: 'POST', path: '/ip/*/move', times: 2, action: { type: 'task', outcome: 'customerError' } });
  const [twice] = await provider().claim(request([VIP]), harness().ctx);
  assert.equal(twice?.result, 'failed');
  assert.match(String(twice?.error?.message), /could not move 203.0.113.80 to ns-ours.example: task \d+ ended customerError/);
  assert.equal(posts().length, 2);
  assert.deepEqual(routed(VIP), { via: 'ip-move', server: PEER });
});

test('task reads that keep failing do not stop the wait: the route alone tells success', async () => {
  sim.addFault({ method: 'GET', path: '/ip/*/task/*', action: { type: 'status', status: 500 } });
  const h = harness();
  const [outcome] = await provider().claim(request([VIP]), h.ctx);
  assert.equal(outcome?.result, 'moved');
  assert.ok(h.lines.some((l) => /waiting on the route alone/.test(l.msg)));
});

test('no longer MASTER: nothing is sent, and a move in progress stops polling as cancelled', async () => {
  const before = harness();
  before.loseMaster();
  const [cancelled] = await provider().claim(request([VIP]), before.ctx);
  assert.equal(cancelled?.result, 'cancelled');
  assert.deepEqual(posts(), []);

  sim.addFault({ method: 'POST', path: '/ip/*/move', times: 1, action: { type: 'task', outcome: 'never' } });
  const during = harness();
  const claim = provider().claim(request([VIP]), during.ctx);
  // Stop being MASTER once the move was accepted.
  await waitUntil('the move to be posted', () => posts().length === 1);
  during.loseMaster();
  const [stopped] = await claim;
  assert.equal(stopped?.result, 'cancelled');
  assert.equal(posts().length, 1);
  sim.cancelStuckTasks();
});

test('the deadline bounds a move OVH never finishes: failed, not cancelled', async () => {
  sim.addFault({ method: 'POST', path: '/ip/*/move', times: 1, action: { type: 'task', outcome: 'never' } });
  const [outcome] = await provider().claim(request([VIP]), harness(1500).ctx);
  assert.equal(outcome?.result, 'failed');
  assert.equal(posts().length, 1);
  sim.cancelStuckTasks();
});

test('locate reports the server each IP is routed to; plan lists the moves without sending them', async () => {
  sim.setState({ ...world(), ips: { [VIPS[0] ?? '']: { routedTo: PEER }, [VIPS[1] ?? '']: { routedTo: OURS }, [VIPS[2] ?? '']: { routedTo: null } } });
  const p = provider({ nexthop: '198.51.100.7' });
  assert.deepEqual(await p.locate(VIPS), [
    { address: VIPS[0], holder: PEER, here: false, where: `server ${PEER}` },
    { address: VIPS[1], holder: OURS, here: true, where: `server ${OURS}` },
    { address: VIPS[2], holder: null, here: false, where: 'on no server' },
  ]);
  const planned = await p.plan({ addresses: VIPS }, { signal: AbortSignal.timeout(10_000) });
  assert.deepEqual(planned, [
    { address: VIPS[0], from: PEER, to: OURS, method: 'POST', path: `/ip/${VIPS[0]}%2F32/move`, body: { to: OURS, nexthop: '198.51.100.7' } },
    { address: VIPS[2], from: null, to: OURS, method: 'POST', path: `/ip/${VIPS[2]}%2F32/move`, body: { to: OURS, nexthop: '198.51.100.7' } },
  ]);
  assert.deepEqual(posts(), []);
});

test('doctor: where each VIP is routed against the CARP state, whether the next taker is an allowed destination, the rules the claim needs', async () => {
  sim.setState({
    ...world(),
    ips: { [VIPS[0] ?? '']: { routedTo: PEER }, [VIPS[1] ?? '']: { routedTo: OURS }, [VIPS[2] ?? '']: { routedTo: PEER, destinations: [OTHER] } },
  });
  const p = provider();
  const entry = (state: 'MASTER' | 'BACKUP') => ({
    entry: { interface: 'ix1', vhid: 1, addresses: VIPS, via: 'ip-move' as const, server: OURS, vmName: null, mac: null },
    key: '1@ix1',
    state,
    mac: '0c:c4:7a:00:00:01',
  });
  const byId = async (state: 'MASTER' | 'BACKUP') =>
    new Map(
      (await p.doctorChecks(VIPS, AbortSignal.timeout(10_000), { entries: [entry(state)], allAddresses: new Set(VIPS), unavailable: null })).map((c) => [
        c.id,
        c,
      ]),
    );
  let checks = await byId('BACKUP');
  assert.equal(checks.get(`ovh.read:ip-move:${OURS}`)?.status, 'pass');
  assert.match(String(checks.get(`ovh.read:ip-move:${OURS}`)?.detail), /move tasks pending \(GET \/ip\/\*\)/);
  assert.equal(checks.get(`placement.vip:${VIPS[0]}`)?.status, 'pass');
  assert.equal(checks.get(`placement.vip:${VIPS[0]}`)?.detail, `routed to server ${PEER} (the peer's), and 1@ix1 is BACKUP here`);
  assert.equal(checks.get(`placement.vip:${VIPS[1]}`)?.status, 'fail', 'routed here while BACKUP');
  assert.equal(checks.get(`ovh.destination:${VIPS[0]}`)?.status, 'pass');
  // Here: which servers the peer could take it to (every other one, without a list of its own).
  assert.match(String(checks.get(`ovh.destination:${VIPS[1]}`)?.detail), /the peer's server must be one OVH offers .*: ns-peer.example, ns-other.example/);
  assert.equal(checks.get(`ovh.destination:${VIPS[2]}`)?.status, 'fail');
  assert.match(String(checks.get(`ovh.destination:${VIPS[2]}`)?.detail), /does not offer this router's server ns-ours.example/);

  checks = await byId('MASTER');
  assert.equal(checks.get(`placement.vip:${VIPS[0]}`)?.status, 'fail', 'elsewhere while MASTER');
  assert.equal(checks.get(`placement.vip:${VIPS[1]}`)?.status, 'pass');
  assert.equal(checks.get(`placement.vip:${VIPS[1]}`)?.detail, `routed to this router's server (${OURS}), and 1@ix1 is MASTER here`);

  // The rules a claim needs, for doctor's ovh.grants: reads (the IP, its destinations, its tasks) and the move.
  assert.deepEqual([...new Set(p.neededCalls([entry('MASTER')]).map((c) => c.rule))], ['GET /ip/*', 'POST /ip/*/move']);
  assert.ok(p.neededCalls([entry('MASTER')]).some((c) => c.method === 'GET' && c.path === `/ip/${VIPS[0]}/32/task/1`));

  sim.setConsumer(OVH_CONSUMER_KEY, { rules: [{ method: 'POST', path: '/ip/*/move' }] });
  checks = await byId('MASTER');
  assert.equal(checks.get(`ovh.read:ip-move:${OURS}`)?.status, 'fail');
  assert.match(String(checks.get(`ovh.read:ip-move:${OURS}`)?.fix), /GET \/ip\/\*/);
  assert.equal(checks.get(`placement.vip:${VIPS[0]}`)?.status, 'skip');
  assert.deepEqual(posts(), []);
});
