/** `check` when Vault fails in each way the claim would meet it: the vault probe carries the demotion. */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { after, afterEach, before, describe, test } from 'node:test';
import { BIT, checkJson, freshDemotion, healthRouter, lastCheck, logMessages, probe, secretsmithPath } from '../support/health.ts';
import { VAULT_SECRET_ID } from '../support/secrets.ts';
import { startWorld, type World } from '../support/world.ts';

const LOGIN = '/v1/auth/approle/login';

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('check: the vault probe', () => {
  let world: World;
  before(async () => {
    world = await startWorld({ label: 'health-vault' });
  });
  afterEach(() => {
    world.vault.clearFaults();
    world.vault.unseal();
  });
  after(() => world.close());

  test('healthy: every probe passes, exit 0, no sysctl write, last-check.json recorded', async () => {
    const router = healthRouter(world);
    const { result, report, context } = await checkJson(router);
    assert.equal(result.code, 0, context);
    assert.equal(report.healthy, true);
    assert.deepEqual(
      report.probes.map((p) => [p.name, p.ok]),
      [
        ['vault', true],
        ['ovh-api', true],
        ['claim', true],
      ],
    );
    assert.match(probe(report, 'vault').detail, /apps\/network\/carp-hyper-001-switch.*application_key, application_secret and consumer_key/);
    assert.match(probe(report, 'claim').detail, /2@vmx1 BACKUP/);
    assert.deepEqual(freshDemotion(report), { total: 0, ours: false, changed: null, reasons: {} });
    assert.deepEqual(router.kernel.demotionWrites(), []);
    const saved = lastCheck(router);
    assert.deepEqual(Object.keys(saved ?? {}).sort(), ['at', 'demotion', 'durationMs', 'healthy', 'probes']);
    assert.deepEqual(saved?.probes, report.probes);
    for (const p of report.probes) assert.deepEqual(Object.keys(p), ['name', 'ok', 'detail', 'durationMs']);
  });

  test('a secretsmith file others may read: a warning in the vault probe, still healthy (the router can claim)', async () => {
    const router = healthRouter(world);
    chmodSync(secretsmithPath(router), 0o644);
    const { result, report, context } = await checkJson(router);
    assert.equal(result.code, 0, context);
    assert.match(probe(report, 'vault').detail, /; warning: \S+\/carp-secretsmith\.yaml is accessible by group or others \(mode 0644\): run chmod 600 /);
    assert.deepEqual(router.kernel.demotionWrites(), []);
  });

  async function assertVaultDown(
    setup: () => void | Promise<void>,
    detail: RegExp,
    routerSetup?: (r: ReturnType<typeof healthRouter>) => void,
    probeTimeout?: string,
  ): Promise<number> {
    const router = healthRouter(world, probeTimeout === undefined ? {} : { tuning: { probe_timeout: probeTimeout } });
    routerSetup?.(router);
    await setup();
    const { result, report, context } = await checkJson(router);
    assert.equal(result.code, 1, context);
    assert.equal(report.healthy, false);
    const vault = probe(report, 'vault');
    assert.equal(vault.ok, false, context);
    assert.match(vault.detail, detail, context);
    // Without credentials ovh-api cannot run: it says so, and vault alone carries the demotion.
    assert.deepEqual(probe(report, 'ovh-api'), { ...probe(report, 'ovh-api'), ok: false, skipped: true });
    assert.match(probe(report, 'ovh-api').detail, /^not run: no OVH credentials \(vault failed\)$/);
    assert.equal(router.demotion(), BIT);
    assert.deepEqual(router.kernel.demotionWrites(), [BIT]);
    assert.deepEqual(Object.keys(report.demotion?.reasons ?? {}), ['vault']);
    assert.ok(logMessages(result).includes('carp demoted by 1048576 due to service disruption (services: vault)'), context);
    return vault.durationMs;
  }

  test('Vault sealed', async () => {
    await assertVaultDown(() => world.vault.seal(), /Vault is sealed \(status 503\)/);
  });

  test('403: the policy no longer allows the read', async () => {
    world.vault.setPolicy('read', ['apps/data/something-else']);
    try {
      await assertVaultDown(() => undefined, /permission denied.*status 403/);
    } finally {
      world.vault.setPolicy('read', ['apps/data/network/carp-hyper-001-switch']);
    }
  });

  test('wrong secret_id: the role was rotated', async () => {
    world.vault.setRoleCredentials('router', { secret_id: 'sid-rotated-elsewhere-0001' });
    try {
      await assertVaultDown(() => undefined, /AppRole login failed: invalid (role or )?secret ID.*status 400/i);
    } finally {
      world.vault.setRoleCredentials('router', { secret_id: VAULT_SECRET_ID });
    }
  });

  test('unreachable: nothing listens on the port', async () => {
    const port = await closedPort();
    await assertVaultDown(
      () => undefined,
      /connection refused/,
      (router) => {
        const path = secretsmithPath(router);
        writeFileSync(path, readFileSync(path, 'utf8').replace(/https:\/\/127\.0\.0\.1:\d+/, `https://127.0.0.1:${port}`), { mode: 0o600 });
      },
    );
  });

  test('black-holed: the login never answers, the probe gives up at health.probe_timeout', async () => {
    const ms = await assertVaultDown(
      () => void world.vault.injectFault({ path: LOGIN, stall: true }),
      /^reading the OVH credentials: no answer within 3\.00s \(health\.probe_timeout\)$/,
      undefined,
      '3s',
    );
    assert.ok(ms >= 2950 && ms < 20_000, `the vault probe took ${ms} ms`);
  });
});
