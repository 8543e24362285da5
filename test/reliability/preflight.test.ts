/**
 * The claim's preflight: before its first mutating call it proves that this
 * router's MAC is a vMAC of the server and that the key may make every call of
 * the move. When not, it changes nothing at OVH (the simulator's request log
 * holds no POST, PUT or DELETE), fails with the fix, and demotes. Also how the
 * claim reads back the answers OVH does not document for a DELETE or POST.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { claimInProcess } from '../support/claim-in-process.ts';
import {
  grantAll,
  SEED_MAC_ROUTER_002,
  SEED_MAC_ROUTER_003,
  SEED_SERVER,
  SEED_VIP,
  seedState,
  startOvhSimulator,
  type OvhSimulator,
} from '../support/ovh-sim/index.ts';
import { rawCall } from '../support/ovh-sim/test-clients.ts';
import { OVH_CONSUMER_KEY } from '../support/secrets.ts';

const NOT_A_VMAC = '00:50:56:01:02:03';

function mutations(sim: OvhSimulator): string[] {
  return sim
    .requests()
    .filter((r) => r.method !== 'GET')
    .map((r) => `${r.method} ${r.path}`);
}

function holders(sim: OvhSimulator): string[] {
  return sim.locate(SEED_VIP).flatMap((p) => (p.via === 'virtual-mac' ? [p.mac] : []));
}

function messages(logs: Array<Record<string, unknown>>): string {
  return logs.map((line) => `${String(line.msg)} ${JSON.stringify(line.err ?? '')}`).join('\n');
}

test('a MAC that is not a vMAC of the server: zero mutating calls, the fix in the error, demoted, the VIP left on the peer', async () => {
  const sim = await startOvhSimulator();
  try {
    const run = await claimInProcess(sim, { mac: NOT_A_VMAC });
    assert.equal(run.outcome.result, 'failed');
    assert.deepEqual(mutations(sim), [], 'nothing but reads reached OVH');
    assert.ok(
      sim.requests().some((r) => r.path.endsWith(`/dedicated/server/${SEED_SERVER}/virtualMac`)),
      'the vMAC list was read',
    );
    assert.equal(run.demotion, 1_048_576);
    assert.deepEqual(holders(sim), [SEED_MAC_ROUTER_003]);
    const message = String(run.outcome.error?.message);
    assert.match(message, new RegExp(`${NOT_A_VMAC} is not a virtual MAC of ${SEED_SERVER}`));
    assert.match(message, /changed nothing at OVH/);
    assert.match(message, /the router's NIC must use the virtual MAC OVH generated for it/);
  } finally {
    await sim.close();
  }
});

test('the same with the VIP on no vMAC at all (the old claim created a vMAC then): still zero mutating calls', async () => {
  const state = seedState();
  delete state.dedicated[SEED_SERVER]?.virtualMacs[SEED_MAC_ROUTER_003]?.ips[SEED_VIP];
  const sim = await startOvhSimulator({ state });
  try {
    const run = await claimInProcess(sim, { mac: NOT_A_VMAC });
    assert.equal(run.outcome.result, 'failed');
    assert.deepEqual(mutations(sim), []);
    assert.equal(run.demotion, 1_048_576);
  } finally {
    await sim.close();
  }
});

test('a key whose rules lack the DELETE: zero mutating calls, the missing rule named, demoted', async () => {
  const sim = await startOvhSimulator({
    consumers: {
      [OVH_CONSUMER_KEY]: {
        status: 'validated',
        expiration: null,
        rules: [
          { method: 'GET', path: '/dedicated/server/*' },
          { method: 'POST', path: '/dedicated/server/*/virtualMac/*' },
        ],
      },
    },
  });
  try {
    const run = await claimInProcess(sim, { mac: SEED_MAC_ROUTER_002 });
    assert.equal(run.outcome.result, 'failed');
    assert.deepEqual(mutations(sim), []);
    assert.equal(run.demotion, 1_048_576);
    assert.deepEqual(holders(sim), [SEED_MAC_ROUTER_003]);
    assert.match(
      String(run.outcome.error?.message),
      new RegExp(
        String.raw`may not make every call the move needs \(DELETE /dedicated/server/[^ ]+/virtualMac/00:50:56:09:98:fc/virtualAddress/51\.68\.252\.230 ` +
          String.raw`\(detach 51\.68\.252\.230 from 00:50:56:09:98:fc\)\).*DELETE /dedicated/server/\*/virtualMac/\*`,
      ),
    );
  } finally {
    await sim.close();
  }
});

test('a key granted everything passes the preflight; the happy path adds one read (the rules), beside the vMAC list', async () => {
  const sim = await startOvhSimulator({ consumers: { [OVH_CONSUMER_KEY]: grantAll() } });
  try {
    const run = await claimInProcess(sim, { mac: SEED_MAC_ROUTER_002 });
    assert.equal(run.outcome.result, 'ok', messages(run.logs));
    assert.deepEqual(holders(sim), [SEED_MAC_ROUTER_002]);
    const calls = sim.requests().map((r) => `${r.method} ${r.path.replace(/^\/1\.0/, '')}`);
    const first = calls.indexOf(calls.find((c) => c.startsWith('DELETE')) ?? '');
    assert.deepEqual(
      calls.slice(0, first).sort(),
      [
        'GET /auth/currentCredential',
        'GET /auth/time',
        `GET /dedicated/server/${SEED_SERVER}/virtualMac`,
        `GET /dedicated/server/${SEED_SERVER}/virtualMac/${SEED_MAC_ROUTER_002}/virtualAddress`,
        `GET /dedicated/server/${SEED_SERVER}/virtualMac/${SEED_MAC_ROUTER_003}/virtualAddress`,
      ].sort(),
    );
  } finally {
    await sim.close();
  }
});

test('already on our vMAC: one read, no preflight needed since nothing changes', async () => {
  const state = seedState();
  const server = state.dedicated[SEED_SERVER];
  if (server === undefined) throw new Error('seed server missing');
  delete server.virtualMacs[SEED_MAC_ROUTER_003]?.ips[SEED_VIP];
  const ours = server.virtualMacs[SEED_MAC_ROUTER_002];
  if (ours !== undefined) ours.ips[SEED_VIP] = 'router-002';
  const sim = await startOvhSimulator({ state });
  try {
    const run = await claimInProcess(sim, { mac: SEED_MAC_ROUTER_002 });
    assert.equal(run.outcome.result, 'ok');
    assert.deepEqual(
      sim.requests().map((r) => r.path.replace(/^\/1\.0/, '')),
      ['/auth/time', `/dedicated/server/${SEED_SERVER}/virtualMac/${SEED_MAC_ROUTER_002}/virtualAddress`],
    );
  } finally {
    await sim.close();
  }
});

/** Runs `then` once, the moment the first `method` held by a fault reaches the simulator; tells whether it ran. */
function onFirstHeld(sim: OvhSimulator, method: string, then: () => void): { stop: () => void; ran: () => boolean } {
  let ran = false;
  const stop = sim.onFaultHit((hit) => {
    if (hit !== method || ran) return;
    ran = true;
    then();
  });
  return { stop, ran: () => ran };
}

function moveVip(sim: OvhSimulator, to: string | null): void {
  const state = sim.state();
  const macs = state.dedicated[SEED_SERVER]?.virtualMacs ?? {};
  for (const vmac of Object.values(macs)) delete vmac.ips[SEED_VIP];
  const target = to === null ? undefined : macs[to];
  if (target !== undefined) target.ips[SEED_VIP] = 'router-003';
  sim.setState(state);
}

for (const answer of [404, 400] as const) {
  test(`a DELETE whose IP is already gone (the peer detached it meanwhile) answered ${answer}: read back, taken as done, then attached`, async () => {
    const sim = await startOvhSimulator({ dialects: { deleteAbsent: answer } });
    try {
      // Our DELETE is held, and the peer's own detach lands the moment it arrives.
      sim.addFault({ method: 'DELETE', path: '/dedicated/server/*/virtualMac/*/virtualAddress/*', times: 1, action: { type: 'delay', ms: 1500 } });
      const race = onFirstHeld(sim, 'DELETE', () => moveVip(sim, null));
      const run = await claimInProcess(sim, { mac: SEED_MAC_ROUTER_002 });
      race.stop();
      assert.ok(race.ran(), 'the peer detached the VIP while our DELETE was held');
      assert.equal(run.outcome.result, 'ok', messages(run.logs));
      assert.deepEqual(holders(sim), [SEED_MAC_ROUTER_002]);
      assert.ok(
        sim.requests().some((r) => r.method === 'DELETE' && r.status === answer),
        `the DELETE met a ${answer}`,
      );
      assert.match(messages(run.logs), /outcome of DELETE of 51\.68\.252\.230 on 00:50:56:09:98:fc unknown/);
      assert.match(messages(run.logs), /OVH shows 51\.68\.252\.230 off 00:50:56:09:98:fc: the DELETE took effect/);
      assert.equal(sim.requests().filter((r) => r.method === 'DELETE').length, 1, 'not sent again');
    } finally {
      await sim.close();
    }
  });
}

for (const answer of [400, 409] as const) {
  test(`a POST refused because another router attached the IP meanwhile (${answer}): read back, stop, the VIP stays with that router`, async () => {
    const sim = await startOvhSimulator({ dialects: { postElsewhere: answer } });
    try {
      // Our POST is held, and the peer re-attaches the VIP to its own vMAC the moment it
      // arrives: after our detach, before our attach. (Waiting for a read that shows the
      // VIP gone raced: the claim may learn it from the DELETE's task instead.)
      sim.addFault({ method: 'POST', path: '/dedicated/server/*/virtualMac/*/virtualAddress', times: 1, action: { type: 'delay', ms: 1500 } });
      const race = onFirstHeld(sim, 'POST', () => moveVip(sim, SEED_MAC_ROUTER_003));
      const run = await claimInProcess(sim, { mac: SEED_MAC_ROUTER_002 });
      race.stop();
      assert.ok(race.ran(), 'the peer re-attached the VIP while our POST was held');
      assert.equal(run.outcome.result, 'failed', messages(run.logs));
      assert.deepEqual(holders(sim), [SEED_MAC_ROUTER_003]);
      assert.ok(
        sim.requests().some((r) => r.method === 'POST' && r.status === answer),
        `the POST met a ${answer}`,
      );
      assert.match(String(run.outcome.error?.message), /is now on 00:50:56:09:98:fc, not detached: another router claimed it; stopping/);
      assert.equal(run.demotion, 1_048_576);
    } finally {
      await sim.close();
    }
  });
}

test('a task left by a crashed claim that OVH answers 404 for while fresh is waited out, not taken as gone: no 409', async () => {
  const sim = await startOvhSimulator({ dialects: { taskNotFoundReads: 4 }, delays: { delete: 600, add: 60 } });
  try {
    // The crashed claim's DELETE: accepted, its task still pending, its answer recorded in the journal.
    const del = await rawCall(sim, 'DELETE', `/dedicated/server/${SEED_SERVER}/virtualMac/${SEED_MAC_ROUTER_003}/virtualAddress/${SEED_VIP}`);
    const taskId = (del.json as { taskId: number }).taskId;
    const run = await claimInProcess(sim, {
      mac: SEED_MAC_ROUTER_002,
      prepareState: (state) =>
        state.writeJson('pending-tasks.json', {
          entries: [{ address: SEED_VIP, taskId, mac: SEED_MAC_ROUTER_003, op: 'detach', at: new Date().toISOString() }],
        }),
    });
    assert.equal(run.outcome.result, 'ok', messages(run.logs));
    assert.deepEqual(holders(sim), [SEED_MAC_ROUTER_002]);
    assert.ok(
      sim.requests().some((r) => r.path.endsWith(`/task/${taskId}`) && r.status === 404),
      'the task answered 404 while fresh',
    );
    assert.equal(sim.conflicts, 0, 'nothing was sent on the IP while its task was pending');
    assert.deepEqual(sim.requests().filter((r) => r.method === 'DELETE').length, 1, "the crashed claim's DELETE was not sent again");
  } finally {
    await sim.close();
  }
});
