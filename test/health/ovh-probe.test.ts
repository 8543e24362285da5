/** `check` when the OVH API fails: the ovh-api probe carries the demotion, and the claim probe cannot look. */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { grantAll } from '../support/ovh-sim/index.ts';
import { BIT, checkJson, healthRouter, logMessages, probe } from '../support/health.ts';
import { OVH_CONSUMER_KEY } from '../support/secrets.ts';
import { startWorld, type World } from '../support/world.ts';
import { waitUntil } from '../support/wait.ts';

const VMACS = '/dedicated/server/*/virtualMac';

describe('check: the ovh-api probe', () => {
  let world: World;
  before(async () => {
    world = await startWorld({ label: 'health-ovh' });
  });
  afterEach(() => {
    world.ovh.clearFaults();
    world.ovh.setClockOffset(0);
    world.ovh.setConsumer(OVH_CONSUMER_KEY, grantAll());
  });
  after(() => world.close());

  async function assertOvhDown(detail: RegExp, state: 'BACKUP' | 'MASTER' = 'BACKUP', during?: () => Promise<void>) {
    const router = healthRouter(world, { state });
    const running = checkJson(router);
    await during?.();
    const { result, report, context } = await running;
    assert.equal(result.code, 1, context);
    const api = probe(report, 'ovh-api');
    assert.equal(api.ok, false, context);
    assert.equal(api.skipped, undefined);
    assert.match(api.detail, detail, context);
    assert.equal(probe(report, 'vault').ok, true);
    assert.deepEqual(router.kernel.demotionWrites(), [BIT], context);
    assert.ok(logMessages(result).includes('carp demoted by 1048576 due to service disruption (services: ovh-api)'), context);
    return { router, report };
  }

  test('a steadily skewed local clock is measured with /auth/time and signs fine', async () => {
    world.ovh.setClockOffset(-95);
    const { result, report, context } = await checkJson(healthRouter(world));
    assert.equal(result.code, 0, context);
    assert.match(probe(report, 'ovh-api').detail, /^clock offset -9[456]s; read the vMACs of ns3000000\.ip-1-2-3\.eu$/);
  });

  test('503 on every read', async () => {
    world.ovh.addFault({ method: 'GET', path: VMACS, action: { type: 'status', status: 503 } });
    await assertOvhDown(/status 503.*X-Ovh-QueryID/);
  });

  test('dropped connections', async () => {
    world.ovh.addFault({ method: 'GET', path: VMACS, action: { type: 'drop' } });
    await assertOvhDown(/closed the connection|ECONNRESET|socket hang up/i);
  });

  test('NOT_GRANTED_CALL: the consumer key may no longer read the vMACs', async () => {
    world.ovh.setConsumer(OVH_CONSUMER_KEY, { rules: [{ method: 'GET', path: '/dedicated/server' }], status: 'validated', expiration: null });
    await assertOvhDown(/NOT_GRANTED_CALL/);
  });

  test('INVALID_SIGNATURE: the clock steps between /auth/time and the signed read', async () => {
    world.ovh.addFault({ method: 'GET', path: VMACS, times: 1, action: { type: 'delay', ms: 1000 } });
    world.ovh.clearLog();
    await assertOvhDown(/INVALID_SIGNATURE/, 'BACKUP', async () => {
      await waitUntil('the /auth/time call', () => world.ovh.requests().some((r) => r.path === '/1.0/auth/time'));
      world.ovh.setClockOffset(3600);
    });
  });

  test('as MASTER, the claim probe cannot see the placement: "not run", and ovh-api alone is the reason', async () => {
    world.ovh.addFault({ method: 'GET', path: VMACS, action: { type: 'status', status: 503 } });
    const { report } = await assertOvhDown(/status 503/, 'MASTER');
    const claim = probe(report, 'claim');
    assert.equal(claim.skipped, true);
    assert.match(claim.detail, /^not run: cannot see where OVH routes the VIPs of 2@vmx1 \(ovh-api failed\)/);
    assert.deepEqual(Object.keys(report.demotion?.reasons ?? {}), ['ovh-api']);
  });
});
