/** `carp-ovh probe NAME`, what OPNsense's service-status scripts run: exit 0/1, and no demotion of its own. */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { seedState } from '../support/ovh-sim/state.ts';
import { BIT, healthRouter, readState, setClaimHold } from '../support/health.ts';
import { startWorld, type World } from '../support/world.ts';

const ADDRESS = '/dedicated/server/*/virtualMac/*/virtualAddress/*';

describe('probe', () => {
  let world: World;
  before(async () => {
    world = await startWorld({ label: 'health-probe' });
  });
  afterEach(() => {
    world.vault.unseal();
    world.ovh.clearFaults();
  });
  after(() => world.close());

  test('each probe alone: exit 0 and one line; no state of the check written', async () => {
    const router = healthRouter(world);
    for (const [name, detail] of [
      [
        'vault',
        /^ok      vault  vault apps\/network\/carp-hyper-001-switch \(secretsmith .*\): read, with application_key, application_secret and consumer_key \([\dm.]+s\)\n$/,
      ],
      // Same clock, but /auth/time answers whole seconds: an answer that crosses a half
      // second in transit (a loaded machine) is measured as -1 s, as node-ovh would.
      ['ovh-api', /^ok      ovh-api  clock offset (\+0|-1)s; read the vMACs of ns3000000\.ip-1-2-3\.eu \([\dm.]+s\)\n$/],
      ['claim', /^ok      claim  2@vmx1 BACKUP \([\dm.]+s\)\n$/],
    ] as const) {
      const result = await router.cli(['probe', name]);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, detail);
    }
    const json = await router.cli(['probe', 'vault', '--json']);
    assert.deepEqual(Object.keys(JSON.parse(json.stdout) as object), ['name', 'ok', 'detail', 'durationMs']);
    assert.equal(readState(router, 'last-check.json'), null);
    assert.equal(readState(router, 'health.json'), null);
  });

  test('Vault sealed: vault exits 1, ovh-api "not run" exits 0 (vault names the service), and no sysctl write', async () => {
    const router = healthRouter(world);
    world.vault.seal();
    const vault = await router.cli(['probe', 'vault']);
    assert.equal(vault.code, 1);
    assert.match(vault.stdout, /^FAIL    vault  Vault AppRole login failed: Vault is sealed \(status 503\)/);
    const api = await router.cli(['probe', 'ovh-api']);
    assert.equal(api.code, 0, api.stdout);
    assert.match(api.stdout, /^not run ovh-api  not run: no OVH credentials \(vault failed\)/);
    // OPNsense's carp_service_status owns the bit for its scripts.
    assert.deepEqual(router.kernel.demotionWrites(), []);
  });

  test('probe claim fails while the claim reason holds, and clears it once claim_hold has passed', async () => {
    world.ovh.setState(seedState());
    const router = healthRouter(world, { state: 'MASTER', tuning: { claim_hold: '1h' } });
    world.ovh.addFault({
      method: 'DELETE',
      path: ADDRESS,
      action: { type: 'status', status: 403, errorCode: 'NOT_GRANTED_CALL', message: 'This call has not been granted' },
    });
    assert.equal((await router.hook('MASTER', { wait: true })).code, 1);
    world.ovh.clearFaults();
    router.setState('BACKUP');
    const held = await router.cli(['probe', 'claim']);
    assert.equal(held.code, 1, held.stdout);
    assert.match(held.stdout, /^FAIL    claim  the last claim failed/);
    setClaimHold(router, '1ms');
    const cleared = await router.cli(['probe', 'claim']);
    assert.equal(cleared.code, 0, cleared.stdout + cleared.stderr);
    assert.deepEqual(router.kernel.demotionWrites(), [BIT, -BIT]);
  });

  test('usage errors exit 2', async () => {
    const router = healthRouter(world);
    for (const args of [['probe'], ['probe', 'scripts'], ['probe', 'vault', 'claim'], ['probe', 'vault', '--every', '1s']]) {
      const result = await router.cli(args);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, /usage: carp-ovh probe <vault\|ovh-api\|claim>|unknown (probe|option)/);
    }
  });
});
