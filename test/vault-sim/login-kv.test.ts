import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { OVH_APPLICATION_SECRET, VAULT_ROLE_ID, VAULT_SECRET_ID, VAULT_TOKEN_PREFIX, SECRET_MARKERS } from '../support/secrets.ts';
import { waitUntil } from '../support/wait.ts';
import { startVaultSimulator, type VaultSimulator } from '../support/vault-sim/index.ts';
import { rawRequest } from '../support/vault-sim/raw-client.ts';
import { nodeVaultClient as client, rejection } from '../support/vault-sim/node-vault-client.ts';

describe('vault-sim: AppRole login and KV with node-vault', () => {
  let sim: VaultSimulator;
  before(async () => {
    sim = await startVaultSimulator({
      mounts: { apps: 2, legacy: 1 },
      policies: { read: ['apps/data/network/*', 'apps/network/*', 'legacy/*'] },
      secrets: {
        apps: { 'network/carp-hyper-001-switch': { application_key: 'ak', application_secret: OVH_APPLICATION_SECRET, consumer_key: 'ck' } },
        legacy: { 'network/old': { application_key: 'v1-ak' } },
      },
    });
  });
  after(() => sim.close());

  test('approleLogin returns an auth block with a prefixed token, and node-vault keeps it', async () => {
    const v = client(sim);
    const before = sim.counters;
    const res = await v.approleLogin({ role_id: VAULT_ROLE_ID, secret_id: VAULT_SECRET_ID });
    assert.ok(res.auth.client_token.startsWith(VAULT_TOKEN_PREFIX));
    assert.equal(v.token, res.auth.client_token);
    assert.equal(res.auth.lease_duration, 300);
    assert.equal(res.auth.renewable, true);
    assert.deepEqual(res.auth.token_policies, ['default', 'read']);
    assert.equal(typeof res.auth.accessor, 'string');
    assert.equal(sim.counters.logins, before.logins + 1);
    assert.equal(sim.counters.liveTokens, before.liveTokens + 1);
  });

  test('wrong secret_id or role_id → 400 invalid role or secret ID', async () => {
    const v = client(sim);
    for (const args of [
      { role_id: VAULT_ROLE_ID, secret_id: 'nope' },
      { role_id: 'nope', secret_id: VAULT_SECRET_ID },
    ]) {
      const r = await rejection(v.approleLogin(args));
      assert.equal(r.status, 400);
      assert.equal(r.message, 'invalid role or secret ID');
      assert.deepEqual(r.body, { errors: ['invalid role or secret ID'] });
    }
  });

  test('missing role_id → 500 missing role_id; missing secret_id → 400', async () => {
    // node-vault's schema refuses a login without role_id, so send it with write().
    const v = client(sim);
    const r = await rejection(v.write('auth/approle/login', { secret_id: VAULT_SECRET_ID }));
    assert.equal(r.status, 500);
    assert.equal(r.message, 'missing role_id');
    const s = await rejection(v.approleLogin({ role_id: VAULT_ROLE_ID }));
    assert.equal(s.status, 400);
    assert.equal(s.message, 'missing secret_id');
  });

  test('a role without bind_secret_id logs in with role_id alone', async () => {
    sim.setRole('bare', { role_id: 'bare-role', bind_secret_id: false, policies: ['read'] });
    const res = await client(sim).approleLogin({ role_id: 'bare-role' });
    assert.ok(res.auth.client_token.startsWith(VAULT_TOKEN_PREFIX));
  });

  test('KV v2 read: data.data and metadata, lease_duration 0', async () => {
    const v = client(sim);
    await v.approleLogin({ role_id: VAULT_ROLE_ID, secret_id: VAULT_SECRET_ID });
    const res = await v.read('apps/data/network/carp-hyper-001-switch');
    assert.equal(res.lease_duration, 0);
    assert.equal(res.data.data.application_secret, OVH_APPLICATION_SECRET);
    assert.equal(res.data.metadata.version, 1);
    assert.equal(res.data.metadata.deletion_time, '');
    assert.equal(res.data.metadata.destroyed, false);
    assert.match(res.data.metadata.created_time, /^\d{4}-\d\d-\d\dT/);
  });

  test('KV v2 keeps versions; ?version= reads an older one', async () => {
    sim.setSecret('apps', 'network/rotating', { application_key: 'one' });
    sim.setSecret('apps', 'network/rotating', { application_key: 'two' });
    const v = client(sim, { token: sim.rootToken! });
    const latest = await v.read('apps/data/network/rotating');
    assert.equal(latest.data.metadata.version, 2);
    assert.equal(latest.data.data.application_key, 'two');
    const first = await v.read('apps/data/network/rotating?version=1');
    assert.equal(first.data.data.application_key, 'one');
    const meta = await v.read('apps/metadata/network/rotating');
    assert.equal(meta.data.current_version, 2);
  });

  test('missing KV v2 secret → 404 {"errors":[]}', async () => {
    const v = client(sim, { token: sim.rootToken! });
    const r = await rejection(v.read('apps/data/network/absent'));
    assert.equal(r.status, 404);
    assert.deepEqual(r.body, { errors: [] });
    assert.equal(r.message, 'Status 404');
  });

  test('KV v1 read returns data directly; the v2 data/ path on it is a 404', async () => {
    const v = client(sim, { token: sim.rootToken! });
    const res = await v.read('legacy/network/old');
    assert.deepEqual(res.data, { application_key: 'v1-ak' });
    const r = await rejection(v.read('legacy/data/network/old'));
    assert.equal(r.status, 404);
    assert.deepEqual(r.body, { errors: [] });
  });

  test('a v1-style path on a KV v2 mount is a 404 with the versioned-KV warning', async () => {
    const v = client(sim, { token: sim.rootToken! });
    const r = await rejection(v.read('apps/network/carp-hyper-001-switch'));
    assert.equal(r.status, 404);
    const body = r.body as { errors: string[]; warnings: string[] };
    assert.deepEqual(body.errors, []);
    assert.match(body.warnings[0] ?? '', /Invalid path for a versioned K\/V secrets engine/);
  });

  test('an unmounted path → 404 no handler for route (root) ', async () => {
    const v = client(sim, { token: sim.rootToken! });
    const r = await rejection(v.read('nowhere/x'));
    assert.equal(r.status, 404);
    assert.match(r.message, /no handler for route "nowhere\/x"/);
  });

  test('the UI mounts endpoint tells the KV version', async () => {
    const v = client(sim);
    await v.approleLogin({ role_id: VAULT_ROLE_ID, secret_id: VAULT_SECRET_ID });
    const v2 = await v.read('sys/internal/ui/mounts/apps');
    assert.equal(v2.data.options.version, '2');
    assert.equal(v2.data.path, 'apps/');
    const v1 = await v.read('sys/internal/ui/mounts/legacy/network/old');
    assert.equal(v1.data.options.version, '1');
  });

  test('lookup-self reports ttl and policies; revoke-self answers 204, then 403', async () => {
    const v = client(sim);
    await v.approleLogin({ role_id: VAULT_ROLE_ID, secret_id: VAULT_SECRET_ID });
    const self = await v.tokenLookupSelf();
    assert.ok(self.data.ttl > 295 && self.data.ttl <= 300, `ttl ${self.data.ttl}`);
    assert.deepEqual(self.data.policies, ['default', 'read']);
    assert.equal(self.data.path, 'auth/approle/login');
    const revocations = sim.counters.revocations;
    const res = await rawRequest(sim.url, 'POST', '/v1/auth/token/revoke-self', { headers: { 'X-Vault-Token': v.token } });
    assert.equal(res.status, 204);
    assert.equal(res.text, '');
    assert.equal(sim.counters.revocations, revocations + 1);
    const r = await rejection(v.read('apps/data/network/carp-hyper-001-switch'));
    assert.equal(r.status, 403);
    assert.equal(r.message, 'permission denied');
  });

  test('node-vault tokenRevokeSelf resolves', async () => {
    const v = client(sim);
    await v.approleLogin({ role_id: VAULT_ROLE_ID, secret_id: VAULT_SECRET_ID });
    await v.tokenRevokeSelf();
    const r = await rejection(v.tokenLookupSelf());
    assert.equal(r.status, 403);
  });

  test('root token: lookup-self ttl 0, policy root', async () => {
    const self = await client(sim, { token: sim.rootToken! }).tokenLookupSelf();
    assert.equal(self.data.ttl, 0);
    assert.deepEqual(self.data.policies, ['root']);
  });

  test('Authorization: Bearer works like X-Vault-Token; unknown token and no token → 403', async () => {
    const ok = await rawRequest(sim.url, 'GET', '/v1/apps/data/network/carp-hyper-001-switch', {
      headers: { Authorization: `Bearer ${sim.rootToken}` },
    });
    assert.equal(ok.status, 200);
    for (const headers of [{ 'X-Vault-Token': `${VAULT_TOKEN_PREFIX}unknown` }, {}] as Record<string, string>[]) {
      const denied = await rawRequest(sim.url, 'GET', '/v1/apps/data/network/carp-hyper-001-switch', { headers });
      assert.equal(denied.status, 403);
      assert.deepEqual(denied.body, { errors: ['permission denied'] });
    }
  });

  test('issued tokens expire with simulated time', async () => {
    const token = sim.issueToken({ ttlSeconds: 60 });
    const v = client(sim, { token });
    await v.read('apps/data/network/carp-hyper-001-switch');
    const expirations = sim.counters.expirations;
    sim.advanceClock(61);
    const r = await rejection(v.read('apps/data/network/carp-hyper-001-switch'));
    assert.equal(r.status, 403);
    assert.equal(r.message, 'permission denied');
    assert.equal(sim.counters.expirations, expirations + 1);
  });

  test('expireToken() with no argument expires every issued token, never the root token', async () => {
    const v = client(sim);
    await v.approleLogin({ role_id: VAULT_ROLE_ID, secret_id: VAULT_SECRET_ID });
    sim.expireToken();
    assert.equal(sim.counters.liveTokens, 0);
    assert.equal((await rejection(v.tokenLookupSelf())).status, 403);
    await client(sim, { token: sim.rootToken! }).tokenLookupSelf();
  });

  test('a body that is not JSON → 400; an empty login body is a missing role_id (500)', async () => {
    const bad = await rawRequest(sim.url, 'POST', '/v1/auth/approle/login', { rawBody: '{role_id:' });
    assert.equal(bad.status, 400);
    assert.match((bad.body as { errors: string[] }).errors[0] ?? '', /failed to parse JSON input/);
    const empty = await rawRequest(sim.url, 'POST', '/v1/auth/approle/login', { rawBody: '' });
    assert.equal(empty.status, 500);
  });

  test('the request log has methods, paths and statuses, never a secret', () => {
    assert.ok(sim.requests.some((r) => r.method === 'POST' && r.path === '/v1/auth/approle/login' && r.status === 200));
    assert.ok(sim.requests.some((r) => r.status === 403));
    const text = JSON.stringify(sim.requests);
    for (const marker of SECRET_MARKERS) assert.ok(!text.includes(marker), `log holds ${marker.slice(0, 8)}…`);
  });
});

describe('vault-sim: token TTL in scaled time', () => {
  test('secondMs shrinks a 50 s token to 2 s of real time', async () => {
    const sim = await startVaultSimulator({
      secondMs: 40,
      roles: { router: { role_id: VAULT_ROLE_ID, secret_id: VAULT_SECRET_ID, policies: ['read'], token_ttl: 50 } },
    });
    try {
      const v = client(sim);
      const loggedIn = performance.now();
      const res = await v.approleLogin({ role_id: VAULT_ROLE_ID, secret_id: VAULT_SECRET_ID });
      assert.equal(res.auth.lease_duration, 50);
      await v.read('apps/data/network/carp-hyper-001-switch');
      // Expiry is the event: read until refused. Not before 2 s of real time, and long before 50 s.
      let refused: { status?: number } | null = null;
      await waitUntil(
        'the token to expire in scaled time',
        async () => {
          refused = await rejection(v.read('apps/data/network/carp-hyper-001-switch')).catch(() => null);
          return refused !== null;
        },
        { timeoutMs: 40_000 },
      );
      assert.ok(performance.now() - loggedIn >= 2000 - 5, 'expired before 50 scaled seconds');
      assert.equal((refused as { status?: number } | null)?.status, 403);
      assert.equal(sim.counters.liveTokens, 0);
    } finally {
      await sim.close();
    }
  });
});

describe('vault-sim: namespaces', () => {
  test('an enforced namespace must be sent on every call but sys/health', async () => {
    const sim = await startVaultSimulator({ namespace: 'nasqueron', enforceNamespace: true });
    try {
      const without = client(sim);
      const r = await rejection(without.approleLogin({ role_id: VAULT_ROLE_ID, secret_id: VAULT_SECRET_ID }));
      assert.equal(r.status, 403);
      const health = await without.health();
      assert.equal(health.sealed, false);

      const v = client(sim, { namespace: 'nasqueron' });
      await v.approleLogin({ role_id: VAULT_ROLE_ID, secret_id: VAULT_SECRET_ID });
      const res = await v.read('apps/data/network/carp-hyper-001-switch');
      assert.equal(typeof res.data.data.application_key, 'string');
      assert.ok(sim.requests.some((e) => e.namespace === 'nasqueron'));

      // The token belongs to its namespace.
      const other = client(sim, { namespace: 'elsewhere', token: v.token });
      assert.equal((await rejection(other.read('apps/data/network/carp-hyper-001-switch'))).status, 403);
    } finally {
      await sim.close();
    }
  });
});
