/**
 * Every fault the OVH simulator can inject, at each step of the claim: the exit
 * code, the demotion, the log line and where the VIP ends up.
 */
import { after, before, describe, test } from 'node:test';
import type { FaultSpec } from '../support/ovh-sim/index.ts';
import { assertCell, runCell, type CellExpectation } from '../support/fault-cells.ts';
import { startWorld, type World } from '../support/world.ts';

const LIST = '/dedicated/server/*/virtualMac/*/virtualAddress';
const VMACS = '/dedicated/server/*/virtualMac';
const ADDRESS = '/dedicated/server/*/virtualMac/*/virtualAddress/*';
const TASK = '/dedicated/server/*/task/*';

const ok: CellExpectation = { code: 0, where: 'ours', demoted: false };

const cells: Array<[string, FaultSpec[], CellExpectation]> = [
  // auth/time: the client's first call
  ['auth/time 503 once: retried', [{ method: 'GET', path: '/auth/time', times: 1, action: { type: 'status', status: 503 } }], ok],
  ['auth/time 503 always', [{ method: 'GET', path: '/auth/time', action: { type: 'status', status: 503 } }], { code: 1, where: 'peer', demoted: true, log: /auth\/time/ }],
  ['auth/time dropped always', [{ method: 'GET', path: '/auth/time', action: { type: 'drop' } }], { code: 1, where: 'peer', demoted: true, log: /claim failed/ }],
  // locate
  ['locate 500 once: retried', [{ method: 'GET', path: LIST, times: 1, action: { type: 'status', status: 500 } }], ok],
  ['locate dropped once: retried', [{ method: 'GET', path: LIST, times: 1, action: { type: 'drop' } }], ok],
  ['locate stalled once: timeout, retried', [{ method: 'GET', path: LIST, times: 1, action: { type: 'stall' } }], ok],
  ['locate 503 always', [{ method: 'GET', path: LIST, action: { type: 'status', status: 503 } }], { code: 1, where: 'peer', demoted: true, log: /"status":503/ }],
  ['locate malformed JSON', [{ method: 'GET', path: LIST, action: { type: 'malformed' } }], { code: 2, where: 'peer', demoted: true, log: /MALFORMED_RESPONSE|not JSON|malformed/i }],
  ['vMAC list not a list', [{ method: 'GET', path: VMACS, action: { type: 'status', status: 200, body: { macs: 'no' } } }], { code: 2, where: 'peer', demoted: true, log: /not a list of strings/ }],
  ['locate 403 NOT_GRANTED_CALL', [{ method: 'GET', path: LIST, action: { type: 'status', status: 403, errorCode: 'NOT_GRANTED_CALL', message: 'This call has not been granted' } }], { code: 1, where: 'peer', demoted: true, log: /NOT_GRANTED_CALL.*queryId|queryId.*NOT_GRANTED_CALL/ }],
  // DELETE
  ['DELETE 500 once: sent again', [{ method: 'DELETE', path: ADDRESS, times: 1, action: { type: 'status', status: 500 } }], ok],
  ['DELETE dropped once: sent again', [{ method: 'DELETE', path: ADDRESS, times: 1, action: { type: 'drop' } }], ok],
  ['DELETE stalled once: sent again', [{ method: 'DELETE', path: ADDRESS, times: 1, action: { type: 'stall' } }], ok],
  ['DELETE 503 always', [{ method: 'DELETE', path: ADDRESS, action: { type: 'status', status: 503 } }], { code: 1, where: 'peer', demoted: true, log: /DELETE of 51\.68\.252\.230 failed in transit/ }],
  ['DELETE 403 NOT_GRANTED_CALL', [{ method: 'DELETE', path: ADDRESS, action: { type: 'status', status: 403, errorCode: 'NOT_GRANTED_CALL', message: 'This call has not been granted' } }], { code: 1, where: 'peer', demoted: true, log: /NOT_GRANTED_CALL/ }],
  ['DELETE 400 INVALID_SIGNATURE', [{ method: 'DELETE', path: ADDRESS, action: { type: 'status', status: 400, errorCode: 'INVALID_SIGNATURE', message: 'Invalid signature' } }], { code: 1, where: 'peer', demoted: true, log: /INVALID_SIGNATURE/ }],
  ['DELETE malformed answer', [{ method: 'DELETE', path: ADDRESS, action: { type: 'malformed' } }], { code: 2, where: 'peer', demoted: true, log: /claim failed/ }],
  ['DELETE task ovhError once: re-located, sent again', [{ method: 'DELETE', path: ADDRESS, times: 1, action: { type: 'task', outcome: 'ovhError' } }], ok],
  ['DELETE task ovhError twice', [{ method: 'DELETE', path: ADDRESS, action: { type: 'task', outcome: 'ovhError' } }], { code: 1, where: 'peer', demoted: true, log: /ended ovhError twice/ }],
  ['DELETE task cancelled twice', [{ method: 'DELETE', path: ADDRESS, action: { type: 'task', outcome: 'cancelled' } }], { code: 1, where: 'peer', demoted: true, log: /ended cancelled twice/ }],
  ['DELETE task customerError twice', [{ method: 'DELETE', path: ADDRESS, action: { type: 'task', outcome: 'customerError' } }], { code: 1, where: 'peer', demoted: true, log: /ended customerError twice/ }],
  ['DELETE task never finishing', [{ method: 'DELETE', path: ADDRESS, action: { type: 'task', outcome: 'never' } }], { code: 1, where: 'peer', demoted: true, log: /deadline/ }],
  // task polls
  ['task reads 404 then 500: transient', [{ method: 'GET', path: TASK, times: 1, action: { type: 'status', status: 404 } }, { method: 'GET', path: TASK, times: 1, action: { type: 'status', status: 500 } }], ok],
  // POST (the VIP is detached by then: keep trying until the deadline)
  ['POST 500 once: tried again', [{ method: 'POST', path: LIST, times: 1, action: { type: 'status', status: 500 } }], ok],
  ['POST dropped once: tried again', [{ method: 'POST', path: LIST, times: 1, action: { type: 'drop' } }], ok],
  ['POST stalled once: tried again', [{ method: 'POST', path: LIST, times: 1, action: { type: 'stall' } }], ok],
  ['POST 503 always: until the deadline', [{ method: 'POST', path: LIST, action: { type: 'status', status: 503 } }], { code: 1, where: 'nowhere', demoted: true, log: /is detached, trying again/ }],
  ['POST 403 NOT_GRANTED_CALL: no point retrying', [{ method: 'POST', path: LIST, action: { type: 'status', status: 403, errorCode: 'NOT_GRANTED_CALL', message: 'This call has not been granted' } }], { code: 1, where: 'nowhere', demoted: true, log: /NOT_GRANTED_CALL/ }],
  ['POST 400 INVALID_SIGNATURE', [{ method: 'POST', path: LIST, action: { type: 'status', status: 400, errorCode: 'INVALID_SIGNATURE', message: 'Invalid signature' } }], { code: 1, where: 'nowhere', demoted: true, log: /INVALID_SIGNATURE/ }],
  ['POST task ovhError once: tried again', [{ method: 'POST', path: LIST, times: 1, action: { type: 'task', outcome: 'ovhError' } }], ok],
  ['POST task cancelled always', [{ method: 'POST', path: LIST, action: { type: 'task', outcome: 'cancelled' } }], { code: 1, where: 'nowhere', demoted: true, log: /ended cancelled/ }],
  ['POST task never finishing', [{ method: 'POST', path: LIST, action: { type: 'task', outcome: 'never' } }], { code: 1, where: 'nowhere', demoted: true, log: /deadline/ }],
];

describe('hook MASTER under OVH faults', () => {
  let world: World;
  before(async () => {
    world = await startWorld({ label: 'faults-ovh', ovh: { delays: { delete: 60, add: 60 } } });
  });
  after(() => world.close());

  for (const [name, faults, expected] of cells) {
    test(name, async () => {
      assertCell(await runCell(world, { ovh: faults }), expected);
    });
  }
});
