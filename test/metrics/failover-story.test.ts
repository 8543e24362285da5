/**
 * Every metric against the simulated world, through the seed's failover story:
 * router-003 MASTER with the VIP, router-003 dies and router-002 claims it,
 * Vault becomes unreachable from router-002 (its check demotes it), Vault comes
 * back, and a reconcile in a fresh process adds to the counters kept in the state dir.
 */
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { tune } from '../support/health.ts';
import { startLink, type Link } from '../support/link.ts';
import { addCounts, enableMetrics, exposedRequestCounts, readMetrics, requestCounts } from '../support/metrics.ts';
import { seedState } from '../support/ovh-sim/state.ts';
import { metricValue } from '../support/prom-parse.ts';
import { SEED_MAC_ROUTER_002, SEED_MAC_ROUTER_003, SEED_VIP, holdersOf, startWorld, type Router, type World } from '../support/world.ts';

const KEY = { key: '2@vmx1' };
const VIP = { key: '2@vmx1', address: SEED_VIP };
const BIT = 1_048_576;
/** Roomy: the machine running the tests may be loaded many times over. */
const OVH_TUNING = `  timeout: 20s
  poll_interval: 20ms
  deadline: 120s
  max_rpm: 6000
  retries: 2`;

function roomy(router: Router): void {
  writeFileSync(
    router.configPath,
    readFileSync(router.configPath, 'utf8').replace('      timeout: 2s\n', '      timeout: 15s\n').replace('platform:\n', 'platform:\n  timeout: 30s\n'),
  );
  tune(router, { probe_timeout: '20s', script_timeout: '20s' });
}

describe('metrics through the failover story', () => {
  let world: World;
  let link: Link;
  let r002: Router;
  let r003: Router;
  let file002: string;
  let file003: string;

  before(async () => {
    world = await startWorld({ label: 'metrics-story' });
    world.ovh.setState(seedState());
    link = await startLink(world.vault.port);
    r002 = world.router({
      name: 'router-002',
      mac: SEED_MAC_ROUTER_002,
      ownAddress: '178.32.70.110',
      state: 'BACKUP',
      vaultUrl: link.url('https'),
      ovhExtra: OVH_TUNING,
    });
    r003 = world.router({ name: 'router-003', mac: SEED_MAC_ROUTER_003, ownAddress: '178.32.70.111', state: 'MASTER', ovhExtra: OVH_TUNING });
    roomy(r002);
    roomy(r003);
    file002 = enableMetrics(r002);
    file003 = enableMetrics(r003);
  });
  after(async () => {
    await link.close();
    await world.close();
  });

  /** Runs `step` and returns what the OVH simulator answered meanwhile. */
  async function counted<T>(step: () => Promise<T>): Promise<{ result: T; answered: Record<string, number> }> {
    const before = world.ovh.requests().length;
    const result = await step();
    return { result, answered: requestCounts(world.ovh.requests().slice(before)) };
  }

  test('the story, metric by metric', async () => {
    // 1. router-003 is MASTER and holds the VIP.
    const check003 = await counted(() => r003.cli(['check']));
    assert.equal(check003.result.code, 0, check003.result.stderr);
    let m = readMetrics(file003);
    assert.equal(metricValue(m, 'carp_ovh_up'), 1);
    assert.equal(metricValue(m, 'carp_ovh_master', KEY), 1);
    assert.equal(metricValue(m, 'carp_ovh_vip_here', VIP), 1);
    assert.equal(metricValue(m, 'carp_ovh_demotion'), 0);
    for (const reason of ['vault', 'ovh-api', 'claim', 'maintenance']) assert.equal(metricValue(m, 'carp_ovh_demotion_reason', { reason }), 0, reason);
    for (const probe of ['vault', 'ovh-api', 'claim']) assert.equal(metricValue(m, 'carp_ovh_probe_up', { probe }), 1, probe);
    const lastCheck = r003.lastCheck() as { probes: Array<{ name: string; durationMs: number }>; at: string };
    for (const probe of lastCheck.probes)
      assert.equal(metricValue(m, 'carp_ovh_probe_duration_seconds', { probe: probe.name }), probe.durationMs / 1000, probe.name);
    assert.equal(metricValue(m, 'carp_ovh_check_timestamp_seconds'), Date.parse(lastCheck.at) / 1000);
    assert.equal(metricValue(m, 'carp_ovh_vault_token_ttl_seconds'), 300, 'the Vault simulator grants the AppRole token 300 s');
    assert.equal(metricValue(m, 'carp_ovh_claims_total', { result: 'ok' }), 0);
    assert.equal(m.get('carp_ovh_claim_last_success_timestamp_seconds')?.samples.length, 0, 'no claim yet');
    assert.deepEqual(exposedRequestCounts(m), check003.answered, 'every OVH request of the check, by method and status');
    assert.equal(statSync(file003).mode & 0o777, 0o644, 'node_exporter (another user) must be able to read it');

    // router-002 is BACKUP; the VIP is on router-003's vMAC, not here.
    const check002 = await counted(() => r002.cli(['check']));
    assert.equal(check002.result.code, 0, check002.result.stderr);
    m = readMetrics(file002);
    assert.equal(metricValue(m, 'carp_ovh_master', KEY), 0);
    assert.equal(metricValue(m, 'carp_ovh_vip_here', VIP), 0);
    let expected002 = check002.answered;
    assert.deepEqual(exposedRequestCounts(m), expected002);

    // 2. router-003 dies; router-002 becomes MASTER and claims the VIP.
    r003.setState('INIT');
    r002.setState('MASTER');
    const startedAt = Date.now();
    const claim = await counted(() => r002.hook('MASTER', { wait: true }));
    const endedAt = Date.now();
    assert.equal(claim.result.code, 0, claim.result.stderr);
    assert.deepEqual(holdersOf(world), [SEED_MAC_ROUTER_002]);
    m = readMetrics(file002);
    const lastClaim = r002.lastClaim() as { durationMs: number; result: string };
    assert.equal(lastClaim.result, 'ok');
    assert.equal(metricValue(m, 'carp_ovh_claims_total', { result: 'ok' }), 1);
    assert.equal(metricValue(m, 'carp_ovh_claims_total', { result: 'failed' }), 0);
    assert.equal(metricValue(m, 'carp_ovh_claim_duration_seconds'), lastClaim.durationMs / 1000);
    const success = metricValue(m, 'carp_ovh_claim_last_success_timestamp_seconds') ?? 0;
    assert.ok(success * 1000 >= startedAt && success * 1000 <= endedAt, `last success ${success} within the claim`);
    assert.equal(metricValue(m, 'carp_ovh_master', KEY), 1);
    assert.equal(metricValue(m, 'carp_ovh_vip_here', VIP), 1);
    assert.ok((claim.answered['DELETE 200'] ?? 0) >= 1 && (claim.answered['POST 200'] ?? 0) >= 1, JSON.stringify(claim.answered));
    expected002 = addCounts(expected002, claim.answered);
    assert.deepEqual(exposedRequestCounts(m), expected002, 'the claim’s DELETE, POST and polls are all counted');
    // router-003 did nothing meanwhile: its file still shows what it last saw.
    assert.equal(metricValue(readMetrics(file003), 'carp_ovh_vip_here', VIP), 1);

    // 3. Vault unreachable from router-002: its check fails the vault probe and demotes it.
    link.cut();
    const cut = await counted(() => r002.cli(['check'], { timeoutMs: 60_000 }));
    assert.equal(cut.result.code, 1, cut.result.stdout);
    m = readMetrics(file002);
    assert.equal(metricValue(m, 'carp_ovh_up'), 1, 'the check ran, unhealthy');
    assert.equal(metricValue(m, 'carp_ovh_probe_up', { probe: 'vault' }), 0);
    assert.equal(metricValue(m, 'carp_ovh_probe_up', { probe: 'ovh-api' }), 0, 'not run without credentials');
    assert.equal(metricValue(m, 'carp_ovh_demotion'), BIT);
    assert.equal(r002.demotion(), BIT);
    assert.equal(metricValue(m, 'carp_ovh_demotion_reason', { reason: 'vault' }), 1);
    assert.equal(metricValue(m, 'carp_ovh_vip_here', VIP), 1, 'OVH could not be read: the last observation stands');
    assert.equal(metricValue(m, 'carp_ovh_claims_total', { result: 'ok' }), 1);
    assert.deepEqual(cut.answered, {}, 'no OVH request without credentials');

    // 4. Vault is back: the reason clears, and a reconcile in a new process adds to the kept counters.
    link.restore();
    const back = await counted(() => r002.cli(['check']));
    assert.equal(back.result.code, 0, back.result.stdout);
    expected002 = addCounts(expected002, back.answered);
    m = readMetrics(file002);
    assert.equal(metricValue(m, 'carp_ovh_demotion'), 0);
    assert.equal(metricValue(m, 'carp_ovh_demotion_reason', { reason: 'vault' }), 0);
    const again = await counted(() => r002.cli(['reconcile', '--wait']));
    assert.equal(again.result.code, 0, again.result.stderr);
    expected002 = addCounts(expected002, again.answered);
    m = readMetrics(file002);
    assert.equal(metricValue(m, 'carp_ovh_claims_total', { result: 'ok' }), 2, 'counters survive the process');
    assert.deepEqual(exposedRequestCounts(m), expected002);
  });
});
