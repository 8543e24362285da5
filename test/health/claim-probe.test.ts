/** The claim probe: a failed claim's reason, health.claim_hold, and the repair of a misplaced VIP. */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import { seedState } from '../support/ovh-sim/state.ts';
import { BIT, checkJson, freshDemotion, healthRouter, logMessages, probe, reasonsOf, setClaimHold } from '../support/health.ts';
import { holdersOf, SEED_MAC_ROUTER_002, SEED_MAC_ROUTER_003, startWorld, type Router, type World } from '../support/world.ts';

const ADDRESS = '/dedicated/server/*/virtualMac/*/virtualAddress/*';

describe('check: the claim probe', () => {
  let world: World;
  before(async () => {
    world = await startWorld({ label: 'health-claim' });
  });
  beforeEach(async () => {
    world.ovh.setState(seedState());
    await world.ovh.waitForTasks();
  });
  afterEach(() => {
    world.ovh.clearFaults();
    world.vault.unseal();
  });
  after(() => world.close());

  /** A MASTER whose claim OVH refused, then made BACKUP by CARP as its demotion asks. */
  async function afterFailedClaim(): Promise<Router> {
    const router = healthRouter(world, { state: 'MASTER', tuning: { claim_hold: '1h' } });
    world.ovh.addFault({
      method: 'DELETE',
      path: ADDRESS,
      action: { type: 'status', status: 403, errorCode: 'NOT_GRANTED_CALL', message: 'This call has not been granted' },
    });
    const claim = await router.hook('MASTER', { wait: true });
    assert.equal(claim.code, 1, claim.stderr);
    world.ovh.clearFaults();
    assert.deepEqual(router.kernel.demotionWrites(), [BIT]);
    router.setState('BACKUP');
    return router;
  }

  test('a failed claim: the reason holds for claim_hold, then a check with vault and ovh-api healthy clears it (one write back)', async () => {
    const router = await afterFailedClaim();
    const held = await checkJson(router);
    assert.equal(held.result.code, 1, held.context);
    const claim = probe(held.report, 'claim');
    assert.equal(claim.ok, false);
    assert.match(
      claim.detail,
      /^the last claim failed \(claim failed for 2@vmx1: .*(?:NOT_GRANTED|granted).*\); the claim reason holds until \S+ \(health\.claim_hold 60m00s\) unless a claim succeeds first; 2@vmx1 BACKUP$/,
    );
    assert.deepEqual(Object.keys(held.report.demotion?.reasons ?? {}), ['claim']);
    assert.equal(reasonsOf(router).claim?.by, undefined, "still the claim's reason, not the check's");
    assert.deepEqual(router.kernel.demotionWrites(), [BIT], 'no second write while the reason holds');

    setClaimHold(router, '1ms');
    const cleared = await checkJson(router);
    assert.equal(cleared.result.code, 0, cleared.context);
    assert.match(
      probe(cleared.report, 'claim').detail,
      /^2@vmx1 BACKUP; the claim reason clears: health\.claim_hold \(1ms\) passed since the failed claim, and vault and ovh-api pass/,
    );
    assert.deepEqual(freshDemotion(cleared.report), { total: 0, ours: false, changed: 'promoted', reasons: {} });
    assert.deepEqual(router.kernel.demotionWrites(), [BIT, -BIT]);
    assert.ok(logMessages(cleared.result).includes('carp promoted by 1048576 due to service recovery'), cleared.context);
  });

  test('after claim_hold, the claim reason stays while Vault is down; both clear together once it is back', async () => {
    const router = await afterFailedClaim();
    setClaimHold(router, '1ms');
    world.vault.seal();
    const sealed = await checkJson(router);
    assert.equal(sealed.result.code, 1, sealed.context);
    assert.match(
      probe(sealed.report, 'claim').detail,
      /health\.claim_hold \(1ms\) has passed, but the reason clears only in a check where vault and ovh-api pass/,
    );
    assert.deepEqual(Object.keys(sealed.report.demotion?.reasons ?? {}).sort(), ['claim', 'vault']);
    world.vault.unseal();
    const back = await checkJson(router);
    assert.equal(back.result.code, 0, back.context);
    assert.deepEqual(router.kernel.demotionWrites(), [BIT, -BIT]);
  });

  test('MASTER with the VIP still on the old holder: the check claims it again (a repair, no demotion)', async () => {
    const router = healthRouter(world, { state: 'MASTER' });
    assert.deepEqual(holdersOf(world), [SEED_MAC_ROUTER_003]);
    const { result, report, context } = await checkJson(router);
    assert.equal(result.code, 0, context);
    assert.match(probe(report, 'claim').detail, /^2@vmx1 MASTER but OVH routes 51\.68\.252\.230 to 00:50:56:09:98:fc: repaired in \S+$/);
    assert.deepEqual(holdersOf(world), [SEED_MAC_ROUTER_002]);
    assert.equal((router.lastClaim() as { trigger: string; result: string }).trigger, 'check (repair)');
    assert.deepEqual(router.kernel.demotionWrites(), []);

    const again = await checkJson(router);
    assert.equal(again.result.code, 0, again.context);
    assert.equal(probe(again.report, 'claim').detail, '2@vmx1 MASTER, 51.68.252.230 on our MAC');
  });

  test("a repair that fails sets the claim reason (the claim's own, at once) and demotes", async () => {
    const router = healthRouter(world, { state: 'MASTER' });
    world.ovh.addFault({
      method: 'DELETE',
      path: ADDRESS,
      action: { type: 'status', status: 403, errorCode: 'NOT_GRANTED_CALL', message: 'This call has not been granted' },
    });
    const { result, report, context } = await checkJson(router);
    assert.equal(result.code, 1, context);
    assert.match(probe(report, 'claim').detail, /^2@vmx1 MASTER but OVH routes 51\.68\.252\.230 to 00:50:56:09:98:fc: the repair failed after \S+: .*granted/);
    assert.deepEqual(holdersOf(world), [SEED_MAC_ROUTER_003]);
    assert.deepEqual(router.kernel.demotionWrites(), [BIT]);
    assert.deepEqual(Object.keys(reasonsOf(router)), ['claim']);
    assert.equal(reasonsOf(router).claim?.by, undefined);
  });

  test("a claim already running (the hook's worker): the check leaves it be", async () => {
    const router = healthRouter(world, { state: 'MASTER' });
    mkdirSync(router.stateDir, { recursive: true, mode: 0o700 });
    writeFileSync(join(router.stateDir, 'claim.lock'), JSON.stringify({ pid: process.pid, since: new Date().toISOString(), purpose: 'hook 2@vmx1 MASTER' }));
    const { result, report, context } = await checkJson(router);
    assert.equal(result.code, 0, context);
    assert.match(probe(report, 'claim').detail, /: a claim is running \(pid \d+, hook 2@vmx1 MASTER\)$/);
    assert.deepEqual(holdersOf(world), [SEED_MAC_ROUTER_003]);
    assert.equal(router.lastClaim(), null);
  });
});
