import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { VAULT_ROLE_ID, VAULT_SECRET_ID } from '../support/secrets.ts';
import { startVaultSimulator, type VaultSimulator } from '../support/vault-sim/index.ts';
import { rawRequest } from '../support/vault-sim/raw-client.ts';
import { nodeVaultClient as client, rejection } from '../support/vault-sim/node-vault-client.ts';

describe('vault-sim: policies', () => {
  let sim: VaultSimulator;
  before(async () => {
    sim = await startVaultSimulator();
    sim.setSecret('apps', 'network/other-router', { application_key: 'x' });
  });
  after(() => sim.close());

  test('a path outside the policy → 403 with Vault’s multierror text', async () => {
    const v = client(sim);
    await v.approleLogin({ role_id: VAULT_ROLE_ID, secret_id: VAULT_SECRET_ID });
    await v.read('apps/data/network/carp-hyper-001-switch');
    const r = await rejection(v.read('apps/data/network/other-router'));
    assert.equal(r.status, 403);
    assert.deepEqual(r.body, { errors: ['1 error occurred:\n\t* permission denied\n\n'] });
    assert.equal(r.message, '1 error occurred:\n\t* permission denied\n\n');
  });

  test('the ACL check comes before the mount: a v1-style path is denied, not 404', async () => {
    const v = client(sim);
    await v.approleLogin({ role_id: VAULT_ROLE_ID, secret_id: VAULT_SECRET_ID });
    assert.equal((await rejection(v.read('apps/network/carp-hyper-001-switch'))).status, 403);
    assert.equal((await rejection(v.read('nowhere/at/all'))).status, 403);
  });

  test('policies only grant reads', async () => {
    const v = client(sim);
    await v.approleLogin({ role_id: VAULT_ROLE_ID, secret_id: VAULT_SECRET_ID });
    const r = await rejection(v.write('apps/data/network/carp-hyper-001-switch', { data: { application_key: 'x' } }));
    assert.equal(r.status, 403);
  });

  test('glob policies: * any characters, + one segment', async () => {
    sim.setPolicy('wide', ['apps/data/network/*']);
    sim.setPolicy('segment', ['apps/data/+/other-router']);
    sim.setRole('wide', { role_id: 'wide-role', secret_id: 'wide-secret', policies: ['wide'] });
    sim.setRole('segment', { role_id: 'segment-role', secret_id: 'segment-secret', policies: ['segment'] });
    const wide = client(sim);
    await wide.approleLogin({ role_id: 'wide-role', secret_id: 'wide-secret' });
    await wide.read('apps/data/network/other-router');
    await wide.read('apps/data/network/carp-hyper-001-switch');
    const seg = client(sim);
    await seg.approleLogin({ role_id: 'segment-role', secret_id: 'segment-secret' });
    await seg.read('apps/data/network/other-router');
    assert.equal((await rejection(seg.read('apps/data/network/carp-hyper-001-switch'))).status, 403);
  });

  test('rotated role credentials: the old secret_id stops working', async () => {
    sim.setRoleCredentials('router', { secret_id: 'sid-rotated' });
    try {
      const r = await rejection(client(sim).approleLogin({ role_id: VAULT_ROLE_ID, secret_id: VAULT_SECRET_ID }));
      assert.equal(r.status, 400);
      await client(sim).approleLogin({ role_id: VAULT_ROLE_ID, secret_id: 'sid-rotated' });
    } finally {
      sim.setRoleCredentials('router', { secret_id: VAULT_SECRET_ID });
    }
  });
});

describe('vault-sim: seal and health', () => {
  let sim: VaultSimulator;
  before(async () => {
    sim = await startVaultSimulator({ clusterName: 'nasqueron-vault', version: '2.1.0' });
  });
  after(() => sim.close());

  test('active: 200 with the documented body', async () => {
    const res = await rawRequest(sim.url, 'GET', '/v1/sys/health');
    assert.equal(res.status, 200);
    const body = res.body as Record<string, unknown>;
    assert.equal(body.initialized, true);
    assert.equal(body.sealed, false);
    assert.equal(body.standby, false);
    assert.equal(body.version, '2.1.0');
    assert.equal(body.cluster_name, 'nasqueron-vault');
    assert.equal(typeof body.server_time_utc, 'number');
    assert.ok(Math.abs((body.server_time_utc as number) - Date.now() / 1000) < 5);
  });

  test('sealed: every route answers 503 Vault is sealed, except sys/health (503 with the health body)', async () => {
    const v = client(sim);
    await v.approleLogin({ role_id: VAULT_ROLE_ID, secret_id: VAULT_SECRET_ID });
    sim.seal();
    try {
      for (const call of [
        v.read('apps/data/network/carp-hyper-001-switch'),
        v.tokenLookupSelf(),
        client(sim).approleLogin({ role_id: VAULT_ROLE_ID, secret_id: VAULT_SECRET_ID }),
      ]) {
        const r = await rejection(call);
        assert.equal(r.status, 503);
        assert.equal(r.message, 'Vault is sealed');
        assert.deepEqual(r.body, { errors: ['Vault is sealed'] });
      }
      const health = await rawRequest(sim.url, 'GET', '/v1/sys/health');
      assert.equal(health.status, 503);
      const body = health.body as Record<string, unknown>;
      assert.equal(body.sealed, true);
      assert.equal(body.initialized, true);
      // node-vault resolves sys/health whatever the status: callers must look at `sealed`.
      const viaClient = await v.health();
      assert.equal(viaClient.sealed, true);
      const sealStatus = await v.status();
      assert.equal(sealStatus.sealed, true);
    } finally {
      sim.unseal();
    }
    await v.read('apps/data/network/carp-hyper-001-switch');
  });

  test('status codes per state, and the *ok / *code query parameters', async () => {
    const status = async (query = ''): Promise<number> => (await rawRequest(sim.url, 'GET', `/v1/sys/health${query}`)).status;
    try {
      sim.setHealth({ standby: true });
      assert.equal(await status(), 429);
      assert.equal(await status('?standbyok=true'), 200);
      assert.equal(await status('?standbycode=299'), 299);
      sim.setHealth({ standby: false, performanceStandby: true });
      assert.equal(await status(), 473);
      assert.equal(await status('?perfstandbyok=true'), 200);
      sim.setHealth({ performanceStandby: false, drSecondary: true });
      assert.equal(await status(), 472);
      sim.setHealth({ drSecondary: false, initialized: false });
      assert.equal(await status(), 501);
      const body = (await rawRequest(sim.url, 'GET', '/v1/sys/health')).body as Record<string, unknown>;
      assert.equal(body.initialized, false);
      sim.setHealth({ initialized: true });
      sim.seal();
      assert.equal(await status(), 503);
      assert.equal(await status('?sealedcode=200'), 200);
      sim.unseal();
      assert.equal(await status('?activecode=204'), 204);
      assert.equal(await status(), 200);
    } finally {
      sim.setHealth({ initialized: true, standby: false, performanceStandby: false, drSecondary: false });
      sim.unseal();
    }
  });

  test('node-vault health() passes its query through', async () => {
    sim.setHealth({ standby: true });
    try {
      const body = await client(sim).health({ standbyok: true });
      assert.equal(body.standby, true);
      assert.equal(sim.requests.at(-1)?.status, 200);
    } finally {
      sim.setHealth({ standby: false });
    }
  });
});
