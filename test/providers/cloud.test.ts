import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { ClaimContext, LogPort } from '../../src/core/ports/index.ts';
import { CarpOvhError } from '../../src/errors.ts';
import { CloudProvider } from '../../src/providers/cloud/index.ts';
import { OvhApi } from '../../src/providers/ovh/api.ts';
import { createOvhClient, type OvhClient } from '../../src/providers/ovh/client.ts';
import { CA_PATH } from '../support/certs.ts';
import { cloudModelProblems } from '../support/ovh-sim/cloud-schema.ts';
import { type OvhSimulator, type SimState, startOvhSimulator } from '../support/ovh-sim/index.ts';
import { OVH_APPLICATION_KEY, OVH_APPLICATION_SECRET, OVH_CONSUMER_KEY } from '../support/secrets.ts';

/** Seed 002: project t18s, two OpenBSD edge instances, the failover IP on the first. */
const PROJECT = 't18s';
const FIP = '146.59.143.231';
const EDGE1 = 'a1b2c3d4-0001';
const EDGE2 = 'a1b2c3d4-0002';
const ATTACH_RULES = [
  { method: 'GET' as const, path: '/cloud/project/*/ip/failover' },
  { method: 'GET' as const, path: '/cloud/project/*/instance' },
  { method: 'POST' as const, path: '/cloud/project/*/ip/failover/*/attach' },
];
const READER_CK = 'ck-cloud-reader-0002';
const NARROW_CK = 'ck-cloud-narrow-0003';
const POLL_MS = 20;

function world(overrides: { edge2?: Record<string, unknown>; extraFip?: boolean } = {}): SimState {
  return {
    dedicated: {},
    ips: {},
    cloud: {
      [PROJECT]: {
        instances: [
          { id: EDGE1, name: 'bi-edge-sbg-1' },
          { id: EDGE2, name: 'bi-edge-sbg-2', ...overrides.edge2 },
        ],
        failoverIps: [
          { id: 'fo-0001', ip: FIP, routedTo: EDGE1 },
          ...(overrides.extraFip === true ? [{ id: 'fo-0002', ip: '146.59.143.232', routedTo: EDGE1 }] : []),
        ],
      },
    },
  };
}

let sim: OvhSimulator;
const clients: OvhClient[] = [];

function provider(options: { instance?: string; consumerKey?: string; project?: string } = {}): CloudProvider {
  const client = createOvhClient({
    url: sim.url,
    ca: CA_PATH,
    timeoutMs: 2_000,
    credentials: { applicationKey: OVH_APPLICATION_KEY, applicationSecret: OVH_APPLICATION_SECRET, consumerKey: options.consumerKey ?? OVH_CONSUMER_KEY },
  });
  clients.push(client);
  const api = new OvhApi(client, { retries: 2, retryDelayMs: POLL_MS });
  return new CloudProvider({ project: options.project ?? PROJECT, instance: options.instance ?? 'bi-edge-sbg-2', api, pollIntervalMs: POLL_MS });
}

const quiet: LogPort = { info() {}, warn() {}, error() {}, debug() {} };

function context(options: { deadlineMs?: number; master?: () => boolean } = {}): ClaimContext & { guards: number } {
  const deadline = Date.now() + (options.deadlineMs ?? 30_000);
  const ctx = {
    signal: AbortSignal.timeout(options.deadlineMs ?? 30_000),
    deadline,
    guards: 0,
    async guard() {
      ctx.guards++;
      if (options.master !== undefined && !options.master()) throw new CarpOvhError('no longer MASTER', { source: 'claim', isCanceled: true });
    },
    log: quiet,
  };
  return ctx;
}

async function waitUntil(condition: () => boolean, boundMs: number): Promise<void> {
  const until = Date.now() + boundMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`condition not met within ${boundMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function routedTo(): string | null {
  const placement = sim.locate(FIP)[0];
  return placement?.via === 'cloud-failover' ? placement.instanceId : null;
}

const mutations = () => sim.requests().filter((r) => r.method !== 'GET');

before(async () => {
  sim = await startOvhSimulator({
    delays: { attach: 60 },
    state: world(),
    consumers: {
      [OVH_CONSUMER_KEY]: { rules: ATTACH_RULES },
      [READER_CK]: { rules: [{ method: 'GET', path: '/cloud/project/*' }] },
      [NARROW_CK]: {
        rules: [
          { method: 'GET', path: '/*' },
          { method: 'POST', path: '/cloud/project/other/ip/failover/*/attach' },
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
  for (const client of clients) client.close();
  await sim.close();
});

describe('via: cloud', () => {
  it('moves the failover IP to this instance (by name), and finds it already here the next time', async () => {
    const p = provider();
    assert.deepEqual(await p.locate([FIP]), [{ address: FIP, holder: EDGE1, where: `instance ${EDGE1}`, here: false }]);
    const ctx = context();
    const [outcome] = await p.claim({ addresses: [FIP], mac: '', vmName: null }, ctx);
    assert.equal(outcome?.result, 'moved');
    assert.equal(outcome?.from, EDGE1);
    assert.deepEqual(
      outcome?.steps.map((s) => s.step),
      ['locate', 'attach', 'wait-visible'],
    );
    assert.deepEqual(sim.locate(FIP), [{ via: 'cloud-failover', project: PROJECT, failoverIpId: 'fo-0001', instanceId: EDGE2 }]);
    assert.ok(ctx.guards >= 1, 'guarded before the attach');
    // Every request the claim sent fits OVH's schema; one attach only.
    const posts = mutations();
    assert.deepEqual(
      posts.map((r) => [r.method, r.path]),
      [['POST', `/1.0/cloud/project/${PROJECT}/ip/failover/fo-0001/attach`]],
    );
    assert.deepEqual(cloudModelProblems(posts[0]?.body, 'cloud.ProjectIpFailoverAttachCreation'), []);
    assert.deepEqual(posts[0]?.body, { instanceId: EDGE2 });
    // The instance list was read once for the run.
    assert.equal(sim.requests().filter((r) => r.path.endsWith('/instance')).length, 1);

    sim.clearLog();
    const [again] = await p.claim({ addresses: [FIP], mac: '', vmName: null }, context());
    assert.equal(again?.result, 'already-here');
    assert.deepEqual(mutations(), []);
  });

  it('finds the instance by id too; an unknown instance or address fails the preflight with no mutation', async () => {
    assert.equal((await provider({ instance: EDGE2 }).claim({ addresses: [FIP], mac: '', vmName: null }, context()))[0]?.result, 'moved');
    sim.setState(world());
    sim.clearLog();
    const [noInstance] = await provider({ instance: 'bi-edge-sbg-9' }).claim({ addresses: [FIP], mac: '', vmName: null }, context());
    assert.equal(noInstance?.result, 'failed');
    assert.match(String(noInstance?.error?.message), /no instance named or with id bi-edge-sbg-9/);
    const [noFip] = await provider().claim({ addresses: ['198.51.100.7'], mac: '', vmName: null }, context());
    assert.match(String(noFip?.error?.message), /198\.51\.100\.7 is not a failover IP of project t18s/);
    assert.deepEqual(mutations(), []);
  });

  it('a key that may not attach fails the preflight with no mutation; the rules doctor checks are the ones the preflight needs', async () => {
    for (const ck of [READER_CK, NARROW_CK]) {
      sim.clearLog();
      const p = provider({ consumerKey: ck });
      const [outcome] = await p.claim({ addresses: [FIP], mac: '', vmName: null }, context());
      assert.equal(outcome?.result, 'failed');
      assert.match(String(outcome?.error?.message), /may not POST \/cloud\/project\/t18s\/ip\/failover\/ID\/attach/);
      assert.deepEqual(mutations(), []);
    }
    // doctor's ovh.grants checks the key against these (test/doctor/openbsd-doctor.test.ts): the preflight's rules.
    assert.deepEqual(
      provider()
        .neededCalls()
        .map((c) => `${c.method} ${c.path} (${c.rule})`),
      [
        `GET /cloud/project/${PROJECT}/ip/failover (GET /cloud/project/*/ip/failover)`,
        `GET /cloud/project/${PROJECT}/instance (GET /cloud/project/*/instance)`,
        `POST /cloud/project/${PROJECT}/ip/failover/ID/attach (POST /cloud/project/*/ip/failover/*/attach)`,
      ],
    );
    const checks = await provider().doctorChecks([FIP], AbortSignal.timeout(10_000));
    assert.deepEqual(
      checks.map((c) => [c.id, c.status]),
      [
        [`ovh.instance:${PROJECT}`, 'pass'],
        [`placement.vip:${FIP}`, 'pass'],
      ],
    );
  });

  it('retries "instance IP not allocated yet" (400) within the deadline, and fails at the deadline if it never ends', async () => {
    sim.setState(world({ edge2: { ipNotAllocatedAttaches: 3 } }));
    const [outcome] = await provider().claim({ addresses: [FIP], mac: '', vmName: null }, context());
    assert.equal(outcome?.result, 'moved');
    assert.deepEqual(
      mutations().map((r) => r.status),
      [400, 400, 400, 200],
    );

    sim.setState(world({ edge2: { ipNotAllocatedAttaches: 1_000_000 } }));
    const [never] = await provider().claim({ addresses: [FIP], mac: '', vmName: null }, context({ deadlineMs: 1_500 }));
    assert.equal(never?.result, 'failed');
    assert.match(String(never?.error?.message), /deadline/);
    assert.equal(routedTo(), EDGE1);
  });

  it('outcome unknown: a 500, a dropped connection or an HTML body after the attach is read back, never trusted', async () => {
    for (const action of [
      { type: 'status', status: 500 },
      { type: 'drop' },
      { type: 'malformed', status: 200, body: '<html>408 Request Time-out</html>' },
      { type: 'lose-answer' },
    ] as const) {
      sim.setState(world());
      sim.clearLog();
      sim.addFault({ method: 'POST', path: '/cloud/project/*/ip/failover/*/attach', times: 1, action });
      const [outcome] = await provider().claim({ addresses: [FIP], mac: '', vmName: null }, context());
      assert.equal(outcome?.result, 'moved', action.type);
      assert.equal(routedTo(), EDGE2);
      assert.ok(mutations().length <= 2, `${action.type}: ${mutations().length} attaches`);
    }
  });

  it('an attach OVH accepted after the client gave up is not sent again: the read-back shows it pending, then here', async () => {
    // The client times out at 2 s; OVH handles the attach at 2.5 s.
    const attaches = () => sim.tasks().filter((t) => t.function === 'attachFailoverIp').length;
    const before = attaches();
    sim.addFault({ method: 'POST', path: '/cloud/project/*/ip/failover/*/attach', times: 1, action: { type: 'delay', ms: 2_500 } });
    const [outcome] = await provider().claim({ addresses: [FIP], mac: '', vmName: null }, context());
    assert.equal(outcome?.result, 'moved', JSON.stringify(outcome));
    assert.match(outcome?.steps.find((s) => s.step === 'attach')?.detail ?? '', /attempt 1: /);
    assert.equal(routedTo(), EDGE2);
    // One attach operation at OVH: either the read-back saw it, or a second POST met it (409).
    assert.equal(attaches() - before, 1);
    // Let the held request finish here, not in the next test's log.
    await waitUntil(() => sim.requests().some((r) => r.fault === 'delay'), 10_000);
  });

  it("waits out an operation already pending (someone else's attach), then attaches; an operation that fails is tried again", async () => {
    // Another attach is in flight to edge 1 (held pending), ours waits for it.
    sim.setState(world());
    sim.addFault({ method: 'POST', path: '/cloud/project/*/ip/failover/*/attach', times: 1, action: { type: 'task', outcome: 'ovhError' } });
    const [outcome] = await provider().claim({ addresses: [FIP], mac: '', vmName: null }, context());
    assert.equal(outcome?.result, 'moved');
    assert.deepEqual(
      mutations().map((r) => r.status),
      [200, 200],
    );
    assert.equal(routedTo(), EDGE2);
  });

  it('stops before the attach when this router is no longer MASTER; bad config is refused', async () => {
    let master = true;
    const ctx = context({ master: () => master });
    master = false;
    const [outcome] = await provider().claim({ addresses: [FIP], mac: '', vmName: null }, ctx);
    assert.equal(outcome?.result, 'cancelled');
    assert.deepEqual(mutations(), []);
    assert.throws(() => provider({ project: '../auth' }), /failover\[\]\.project must be/);
    assert.throws(() => provider({ instance: 'a/b' }), /failover\[\]\.instance must be/);
  });

  it('plan lists the attach it would send, after a real locate and preflight', async () => {
    sim.setState(world({ extraFip: true }));
    sim.clearLog();
    const planned = await provider().plan({ addresses: [FIP, '146.59.143.232'], mac: '', vmName: null }, context());
    assert.deepEqual(
      planned.map((c) => [c.address, c.from, c.to, c.method, c.path]),
      [
        [FIP, EDGE1, EDGE2, 'POST', `/cloud/project/${PROJECT}/ip/failover/fo-0001/attach`],
        ['146.59.143.232', EDGE1, EDGE2, 'POST', `/cloud/project/${PROJECT}/ip/failover/fo-0002/attach`],
      ],
    );
    assert.deepEqual(mutations(), []);
  });
});
