import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { inspect } from 'node:util';
import { CarpOvhError } from '../../src/errors.ts';
import { createVaultSource, inspectVault, kvReadPath, type VaultSourceOptions } from '../../src/secrets/vault.ts';
import { OVH_APPLICATION_KEY, OVH_APPLICATION_SECRET, OVH_CONSUMER_KEY, SECRET_MARKERS, VAULT_ROLE_ID, VAULT_SECRET_ID } from '../support/secrets.ts';
import { startVaultSimulator, DEFAULT_MOUNT, DEFAULT_SECRET_PATH, type VaultSimulator } from '../support/vault-sim/index.ts';
import { writeSecretsmithFile, writeTokenFile } from '../support/vault-sim/fixtures.ts';

const SECRET_API_PATH = `/v1/${DEFAULT_MOUNT}/data/${DEFAULT_SECRET_PATH}`;

function source(config: string, extra: Partial<VaultSourceOptions> = {}) {
  return createVaultSource({ config, mount: DEFAULT_MOUNT, path: DEFAULT_SECRET_PATH, timeoutMs: 1000, ...extra });
}

/** Runs `promise`, expects a CarpOvhError, and checks that no secret leaks through it. */
async function carpError(promise: Promise<unknown>): Promise<CarpOvhError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof CarpOvhError, `not a CarpOvhError: ${String(error)}`);
    const seen = `${error.message}\n${inspect(error, { depth: 10 })}\n${JSON.stringify(error.toLogObject())}`;
    for (const marker of [...SECRET_MARKERS, OVH_APPLICATION_KEY]) {
      assert.ok(!seen.includes(marker), `error exposes ${marker.slice(0, 8)}…: ${error.message}`);
    }
    return error;
  }
  assert.fail('expected a CarpOvhError');
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  assert.ok(address !== null && typeof address === 'object');
  return address.port;
}

const expected = { applicationKey: OVH_APPLICATION_KEY, applicationSecret: OVH_APPLICATION_SECRET, consumerKey: OVH_CONSUMER_KEY };

describe('Vault source against the simulator', () => {
  let sim: VaultSimulator;
  let approle: string;
  before(async () => {
    sim = await startVaultSimulator();
    approle = writeSecretsmithFile(sim);
  });
  after(() => sim.close());

  test('AppRole: login, KV v2 read, token revoked afterwards', async () => {
    const before = sim.counters;
    sim.clearLog();
    const credentials = await source(approle).readOvhCredentials();
    assert.deepEqual(credentials, expected);
    const after = sim.counters;
    assert.equal(after.logins, before.logins + 1);
    assert.equal(after.revocations, before.revocations + 1);
    assert.equal(after.liveTokens, 0);
    assert.deepEqual(
      sim.requests.map((r) => `${r.method} ${r.path} ${r.status}`),
      ['POST /v1/auth/approle/login 200', `GET ${SECRET_API_PATH} 200`, 'POST /v1/auth/token/revoke-self 204'],
    );
  });

  test('the description names mount, path and file, never a secret', () => {
    const description = source(approle).description;
    assert.match(description, /apps\/network\/carp-hyper-001-switch/);
    for (const marker of SECRET_MARKERS) assert.ok(!description.includes(marker));
  });

  test('token auth: a static token is used and never revoked', async () => {
    const token = sim.issueToken({ policies: ['read'] });
    const file = writeSecretsmithFile(sim, { auth: { method: 'token', token } });
    const revocations = sim.counters.revocations;
    assert.deepEqual(await source(file).readOvhCredentials(), expected);
    assert.equal(sim.counters.revocations, revocations);
    assert.equal(sim.counters.liveTokens, 1);
    sim.expireToken(token);
  });

  test('method defaults to token; the root token works', async () => {
    const file = writeSecretsmithFile(sim, { auth: { token: sim.rootToken } });
    assert.deepEqual(await source(file).readOvhCredentials(), expected);
  });

  for (const key of ['tokenfile', 'token_file']) {
    test(`token from a file given as ${key}`, async () => {
      const token = sim.issueToken({ policies: ['read'] });
      const tokenFile = writeTokenFile(token);
      const file = writeSecretsmithFile(sim, { auth: { method: 'token', [key]: tokenFile } });
      assert.deepEqual(await source(file).readOvhCredentials(), expected);
      sim.expireToken(token);
    });
  }

  test('a missing token file: secrets error naming the file', async () => {
    const file = writeSecretsmithFile(sim, { auth: { method: 'token', token_file: '/nonexistent/vault-token' } });
    const error = await carpError(source(file).readOvhCredentials());
    assert.equal(error.source, 'secrets');
    assert.equal(error.badInput, true);
    assert.equal(error.file, '/nonexistent/vault-token');
    assert.match(error.message, /ENOENT/);
  });

  test('wrong secret_id: 400 invalid role or secret ID, not retryable', async () => {
    const file = writeSecretsmithFile(sim, { auth: { method: 'approle', role_id: VAULT_ROLE_ID, secret_id: `${VAULT_SECRET_ID}-old` } });
    const error = await carpError(source(file).readOvhCredentials());
    assert.equal(error.source, 'vault');
    assert.equal(error.status, 400);
    assert.equal(error.retryable, false);
    assert.match(error.message, /invalid role or secret ID/);
  });

  test('rotated role credentials: the old file fails, the redeployed one works', async () => {
    sim.setRoleCredentials('router', { secret_id: 'sid-SECRET-rotated' });
    try {
      assert.equal((await carpError(source(approle).readOvhCredentials())).status, 400);
      const redeployed = writeSecretsmithFile(sim, { auth: { method: 'approle', role_id: VAULT_ROLE_ID, secret_id: 'sid-SECRET-rotated' } });
      assert.deepEqual(await source(redeployed).readOvhCredentials(), expected);
    } finally {
      sim.setRoleCredentials('router', { secret_id: VAULT_SECRET_ID });
    }
  });

  test('sealed: 503 Vault is sealed, retryable', async () => {
    sim.seal();
    try {
      const error = await carpError(source(approle).readOvhCredentials());
      assert.equal(error.source, 'vault');
      assert.equal(error.status, 503);
      assert.equal(error.retryable, true);
      assert.equal(error.timedOut, false);
      assert.match(error.message, /Vault is sealed/);
    } finally {
      sim.unseal();
    }
  });

  test('policy denies the path: 403 permission denied on one line, token still revoked', async () => {
    sim.setSecret('apps', 'network/other', { application_key: 'x' });
    const revocations = sim.counters.revocations;
    const error = await carpError(createVaultSource({ config: approle, mount: 'apps', path: 'network/other' }).readOvhCredentials());
    assert.equal(error.status, 403);
    assert.equal(error.retryable, false);
    assert.match(error.message, /^Vault read apps\/data\/network\/other failed: permission denied$/);
    assert.equal(sim.counters.revocations, revocations + 1);
  });

  test('token expired between login and read: 403, and the failed revocation is only a warning', async () => {
    sim.injectFault({ method: 'GET', path: SECRET_API_PATH, times: 1, onMatch: () => sim.expireToken() });
    const warnings: string[] = [];
    const error = await carpError(source(approle, { onWarning: (m) => warnings.push(m) }).readOvhCredentials());
    assert.equal(error.status, 403);
    assert.match(error.message, /permission denied/);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] ?? '', /could not revoke the Vault token: .*permission denied/);
    for (const marker of SECRET_MARKERS) assert.ok(!warnings[0]!.includes(marker));
  });

  test('a TTL that runs out during a slow read gives the same 403', async () => {
    const fast = await startVaultSimulator({
      secondMs: 20,
      roles: { router: { role_id: VAULT_ROLE_ID, secret_id: VAULT_SECRET_ID, policies: ['read'], token_ttl: 2 } },
    });
    try {
      fast.injectFault({ method: 'GET', path: SECRET_API_PATH, times: 1, delayMs: 80 });
      const error = await carpError(source(writeSecretsmithFile(fast)).readOvhCredentials());
      assert.equal(error.status, 403);
    } finally {
      await fast.close();
    }
  });

  test('malformed JSON on the read: an answer of the wrong shape (badInput), status 200', async () => {
    sim.injectFault({ method: 'GET', path: SECRET_API_PATH, times: 1, malformed: true });
    const revocations = sim.counters.revocations;
    const error = await carpError(source(approle).readOvhCredentials());
    assert.equal(error.status, 200);
    assert.equal(error.badInput, true);
    assert.equal(error.retryable, false);
    assert.match(error.message, /not valid JSON/);
    assert.equal(sim.counters.revocations, revocations + 1);
  });

  test('malformed JSON on the login', async () => {
    sim.injectFault({ path: '/v1/auth/approle/login', times: 1, malformed: true });
    const error = await carpError(source(approle).readOvhCredentials());
    assert.match(error.message, /AppRole login failed: the answer is not valid JSON/);
  });

  test('a 502 from a proxy is retryable, status kept', async () => {
    sim.injectFault({ path: '/v1/auth/approle/login', times: 1, status: 502, body: '<html>bad gateway</html>' });
    const error = await carpError(source(approle).readOvhCredentials());
    assert.equal(error.status, 502);
    assert.equal(error.retryable, true);
  });

  test('a dropped connection: status 0, retryable', async () => {
    sim.injectFault({ path: '/v1/auth/approle/login', times: 1, drop: true });
    const error = await carpError(source(approle).readOvhCredentials());
    assert.equal(error.status, 0);
    assert.equal(error.retryable, true);
    assert.equal(error.timedOut, false);
  });

  test('black hole on login: timedOut within the timeout', async () => {
    sim.injectFault({ path: '/v1/auth/approle/login', times: 1, stall: true });
    const started = Date.now();
    const error = await carpError(source(approle, { timeoutMs: 250 }).readOvhCredentials());
    const elapsed = Date.now() - started;
    assert.equal(error.timedOut, true);
    assert.equal(error.retryable, true);
    assert.equal(error.status, 0);
    assert.match(error.message, /timed out after 250 ms/);
    // The 250 ms timer is what ended it (the message says so); the upper bound
    // only has to tell it from a call left hanging, on however loaded a machine.
    assert.ok(elapsed >= 240 && elapsed < 10_000, `elapsed ${elapsed} ms`);
  });

  test('black hole on the read: timedOut, then the token is still revoked', async () => {
    sim.injectFault({ method: 'GET', path: SECRET_API_PATH, times: 1, stall: true });
    const revocations = sim.counters.revocations;
    const error = await carpError(source(approle, { timeoutMs: 250 }).readOvhCredentials());
    assert.equal(error.timedOut, true);
    assert.equal(sim.counters.revocations, revocations + 1);
  });

  test('an AbortSignal cuts a black-holed call short: isCanceled, no revocation attempt', async () => {
    const controller = new AbortController();
    // Aborted once the simulator holds the read, not after a fixed 100 ms: on a
    // loaded machine the read could otherwise reach the simulator after this test
    // ended and show up in the next test's request log.
    sim.injectFault({ method: 'GET', path: SECRET_API_PATH, times: 1, stall: true, onMatch: () => controller.abort() });
    const started = Date.now();
    sim.clearLog();
    const error = await carpError(source(approle, { timeoutMs: 60_000 }).readOvhCredentials({ signal: controller.signal }));
    assert.ok(Date.now() - started < 30_000, 'the abort ended the call, not its 60 s timeout');
    assert.equal(error.isCanceled, true);
    assert.equal(error.retryable, false);
    assert.ok(!sim.requests.some((r) => r.path === '/v1/auth/token/revoke-self'));
    sim.expireToken();
  });

  test('an already aborted signal makes no request', async () => {
    sim.clearLog();
    const error = await carpError(source(approle).readOvhCredentials({ signal: AbortSignal.abort() }));
    assert.equal(error.isCanceled, true);
    assert.equal(sim.requests.length, 0);
  });

  test('missing keys: the error names the missing key names only', async () => {
    sim.setSecret('apps', 'network/partial', { application_key: OVH_APPLICATION_KEY, consumer_key: '' });
    sim.setPolicy('read', ['apps/data/network/*']);
    try {
      const error = await carpError(createVaultSource({ config: approle, mount: 'apps', path: 'network/partial' }).readOvhCredentials());
      assert.equal(error.badInput, true);
      assert.match(error.message, /lacks application_secret, consumer_key/);
    } finally {
      sim.setPolicy('read', [`apps/data/${DEFAULT_SECRET_PATH}`]);
    }
  });

  test('a missing secret: 404, not retryable, names the path', async () => {
    sim.setPolicy('read', ['apps/data/network/*']);
    try {
      const error = await carpError(createVaultSource({ config: approle, mount: 'apps', path: 'network/absent' }).readOvhCredentials());
      assert.equal(error.status, 404);
      assert.equal(error.retryable, false);
      assert.match(error.message, /no secret at apps\/data\/network\/absent \(KV version 2 mount apps\)/);
    } finally {
      sim.setPolicy('read', [`apps/data/${DEFAULT_SECRET_PATH}`]);
    }
  });

  test('namespace from the secretsmith file is sent', async () => {
    const ns = await startVaultSimulator({ namespace: 'nasqueron', enforceNamespace: true });
    try {
      const withNs = writeSecretsmithFile(ns, { namespace: 'nasqueron' });
      assert.deepEqual(await source(withNs).readOvhCredentials(), expected);
      const error = await carpError(source(writeSecretsmithFile(ns)).readOvhCredentials());
      assert.equal(error.status, 403);
    } finally {
      await ns.close();
    }
  });

  test('VAULT_TOKEN / VAULT_NAMESPACE in the environment do not leak into requests', async () => {
    const saved = { token: process.env.VAULT_TOKEN, ns: process.env.VAULT_NAMESPACE };
    process.env.VAULT_TOKEN = sim.rootToken!;
    process.env.VAULT_NAMESPACE = 'elsewhere';
    try {
      const ns = await startVaultSimulator({ namespace: 'nasqueron', enforceNamespace: true });
      try {
        // A token file naming a bad token must fail even though VAULT_TOKEN is good.
        const file = writeSecretsmithFile(ns, { namespace: 'nasqueron', auth: { method: 'token', token: 'hvs.SIMSECRETnot-a-token' } });
        assert.equal((await carpError(source(file).readOvhCredentials())).status, 403);
        assert.deepEqual(await source(writeSecretsmithFile(ns, { namespace: 'nasqueron' })).readOvhCredentials(), expected);
      } finally {
        await ns.close();
      }
    } finally {
      restoreEnv('VAULT_TOKEN', saved.token);
      restoreEnv('VAULT_NAMESPACE', saved.ns);
    }
  });
});

describe('Vault source: KV versions', () => {
  let sim: VaultSimulator;
  let file: string;
  before(async () => {
    sim = await startVaultSimulator({
      mounts: { apps: 2, legacy: 1 },
      policies: { read: ['apps/*', 'legacy/*'] },
      secrets: {
        apps: { 'network/v2': { application_key: OVH_APPLICATION_KEY, application_secret: OVH_APPLICATION_SECRET, consumer_key: OVH_CONSUMER_KEY } },
        legacy: { 'network/v1': { application_key: OVH_APPLICATION_KEY, application_secret: OVH_APPLICATION_SECRET, consumer_key: OVH_CONSUMER_KEY } },
      },
    });
    file = writeSecretsmithFile(sim);
  });
  after(() => sim.close());

  test('KV v1 configured as v1 works', async () => {
    const credentials = await createVaultSource({ config: file, mount: 'legacy', path: 'network/v1', kvVersion: 1 }).readOvhCredentials();
    assert.deepEqual(credentials, expected);
  });

  test('a KV v1 mount configured as v2: a clear error saying the mount is KV version 1', async () => {
    const error = await carpError(createVaultSource({ config: file, mount: 'legacy', path: 'network/v1' }).readOvhCredentials());
    assert.equal(error.status, 404);
    assert.equal(error.badInput, true);
    assert.match(error.message, /mount legacy is KV version 1, but carp-ovh is configured for KV version 2/);
  });

  test('a KV v2 mount configured as v1: the reverse', async () => {
    const error = await carpError(createVaultSource({ config: file, mount: 'apps', path: 'network/v2', kvVersion: 1 }).readOvhCredentials());
    assert.equal(error.status, 404);
    assert.match(error.message, /mount apps is KV version 2, but carp-ovh is configured for KV version 1/);
  });

  test('kvReadPath', () => {
    assert.equal(kvReadPath('/apps/', 'network/x/', 2), 'apps/data/network/x');
    assert.equal(kvReadPath('legacy', '/network/x', 1), 'legacy/network/x');
    assert.equal(kvReadPath('apps', 'a b/c', 2), 'apps/data/a%20b/c');
  });
});

describe('Vault source: TLS and reachability', () => {
  let sim: VaultSimulator;
  before(async () => {
    sim = await startVaultSimulator();
  });
  after(() => sim.close());

  test('verify: true (system CAs) against the test CA → TLS error, status 0, not retryable', async () => {
    const file = writeSecretsmithFile(sim, { verify: true });
    const error = await carpError(source(file).readOvhCredentials());
    assert.equal(error.status, 0);
    assert.equal(error.retryable, false);
    assert.match(error.message, /TLS verification of https:\/\/127\.0\.0\.1:\d+ failed/);
    assert.match(error.message, /vault\.server\.verify/);
    assert.ok(error.errorCode !== undefined);
  });

  test('VAULT_SKIP_VERIFY in the environment is ignored (node-vault would honour even "false")', async () => {
    const file = writeSecretsmithFile(sim, { verify: true });
    for (const value of ['true', '1', 'false']) {
      await withEnv('VAULT_SKIP_VERIFY', value, async () => {
        const error = await carpError(source(file).readOvhCredentials());
        assert.equal(error.status, 0);
        assert.match(error.message, /TLS verification/);
      });
    }
  });

  test('VAULT_SKIP_VERIFY=true is honoured when allowEnvSkipVerify, "false" still is not a yes', async () => {
    const file = writeSecretsmithFile(sim, { verify: true });
    await withEnv('VAULT_SKIP_VERIFY', 'true', async () => {
      assert.deepEqual(await source(file, { allowEnvSkipVerify: true }).readOvhCredentials(), expected);
    });
    await withEnv('VAULT_SKIP_VERIFY', 'false', async () => {
      const error = await carpError(source(file, { allowEnvSkipVerify: true }).readOvhCredentials());
      assert.match(error.message, /TLS verification/);
    });
    const error = await carpError(source(file, { allowEnvSkipVerify: true, env: { VAULT_SKIP_VERIFY: '' } }).readOvhCredentials());
    assert.match(error.message, /TLS verification/);
  });

  test('verify: false in the secretsmith file disables verification', async () => {
    const file = writeSecretsmithFile(sim, { verify: false });
    assert.deepEqual(await source(file).readOvhCredentials(), expected);
  });

  test('verify as a CA path refuses a server whose certificate that CA did not sign', async () => {
    const rogue = await startVaultSimulator({ tls: 'rogue' });
    try {
      const error = await carpError(source(writeSecretsmithFile(rogue)).readOvhCredentials());
      assert.equal(error.status, 0);
      assert.match(error.message, /TLS verification/);
      assert.equal(rogue.counters.logins, 0);
    } finally {
      await rogue.close();
    }
  });

  test('verify names a CA file that does not exist → secrets badInput naming the secretsmith file', async () => {
    const file = writeSecretsmithFile(sim, { verify: '/nonexistent/ca.pem' });
    const error = await carpError(source(file).readOvhCredentials());
    assert.equal(error.source, 'secrets');
    assert.equal(error.badInput, true);
    assert.equal(error.file, file);
    assert.match(error.message, /vault\.server\.verify.*\/nonexistent\/ca\.pem.*ENOENT/);
  });

  test('unreachable (closed port): ECONNREFUSED, status 0, retryable', async () => {
    const port = await closedPort();
    const file = writeSecretsmithFile(sim, { url: `https://127.0.0.1:${port}` });
    const error = await carpError(source(file).readOvhCredentials());
    assert.equal(error.source, 'vault');
    assert.equal(error.status, 0);
    assert.equal(error.errorCode, 'ECONNREFUSED');
    assert.equal(error.retryable, true);
    assert.equal(error.timedOut, false);
    assert.match(error.message, /connection refused by https:\/\/127\.0\.0\.1:\d+/);
  });

  test('a missing secretsmith file → secrets badInput', async () => {
    const error = await carpError(source('/nonexistent/carp-secretsmith.yaml').readOvhCredentials());
    assert.equal(error.source, 'secrets');
    assert.equal(error.badInput, true);
    assert.equal(error.file, '/nonexistent/carp-secretsmith.yaml');
  });

  test('empty mount or path is refused when the source is created', () => {
    assert.throws(
      () => createVaultSource({ config: 'x', mount: '/', path: 'p' }),
      (e: unknown) => e instanceof CarpOvhError && e.badInput,
    );
    assert.throws(
      () => createVaultSource({ config: 'x', mount: 'm', path: '' }),
      (e: unknown) => e instanceof CarpOvhError && e.badInput,
    );
  });
});

describe('inspectVault', () => {
  let sim: VaultSimulator;
  let file: string;
  before(async () => {
    sim = await startVaultSimulator();
    file = writeSecretsmithFile(sim);
  });
  after(() => sim.close());

  test('all good: health, login, TTL, keys, revoked', async () => {
    const report = await inspectVault({ config: file, mount: DEFAULT_MOUNT, path: DEFAULT_SECRET_PATH });
    assert.equal(report.error, null);
    assert.equal(report.url, sim.url);
    assert.equal(report.authMethod, 'approle');
    assert.equal(report.tlsVerify, 'ca-file');
    assert.equal(report.health?.state, 'active');
    assert.equal(report.loginOk, true);
    assert.ok(report.tokenTtlSeconds !== null && report.tokenTtlSeconds > 290);
    assert.deepEqual(report.tokenPolicies, ['default', 'read']);
    assert.equal(report.secretPath, `${DEFAULT_MOUNT}/data/${DEFAULT_SECRET_PATH}`);
    assert.equal(report.readOk, true);
    assert.deepEqual(report.keysPresent, ['application_key', 'application_secret', 'consumer_key']);
    assert.deepEqual(report.keysMissing, []);
    assert.equal(report.revoked, true);
    assert.equal(sim.counters.liveTokens, 0);
    const text = JSON.stringify(report);
    for (const marker of [...SECRET_MARKERS, OVH_APPLICATION_KEY]) assert.ok(!text.includes(marker));
  });

  test('sealed: health says sealed, the login error is kept', async () => {
    sim.seal();
    try {
      const report = await inspectVault({ config: file, mount: DEFAULT_MOUNT, path: DEFAULT_SECRET_PATH });
      assert.equal(report.health?.state, 'sealed');
      assert.equal(report.loginOk, false);
      assert.equal(report.error?.status, 503);
    } finally {
      sim.unseal();
    }
  });

  test('missing keys are listed by name', async () => {
    sim.setSecret(DEFAULT_MOUNT, DEFAULT_SECRET_PATH, { application_key: OVH_APPLICATION_KEY });
    try {
      const report = await inspectVault({ config: file, mount: DEFAULT_MOUNT, path: DEFAULT_SECRET_PATH });
      assert.equal(report.readOk, true);
      assert.deepEqual(report.keysPresent, ['application_key']);
      assert.deepEqual(report.keysMissing, ['application_secret', 'consumer_key']);
      assert.match(report.error?.message ?? '', /lacks application_secret, consumer_key/);
      assert.equal(report.revoked, true);
    } finally {
      sim.setSecret(DEFAULT_MOUNT, DEFAULT_SECRET_PATH, {
        application_key: OVH_APPLICATION_KEY,
        application_secret: OVH_APPLICATION_SECRET,
        consumer_key: OVH_CONSUMER_KEY,
      });
    }
  });

  test('a static token: TTL from lookup-self, not revoked', async () => {
    const token = sim.issueToken({ ttlSeconds: 120 });
    const report = await inspectVault({
      config: writeSecretsmithFile(sim, { auth: { method: 'token', token } }),
      mount: DEFAULT_MOUNT,
      path: DEFAULT_SECRET_PATH,
    });
    assert.equal(report.error, null);
    assert.equal(report.authMethod, 'token');
    assert.ok(report.tokenTtlSeconds !== null && report.tokenTtlSeconds <= 120 && report.tokenTtlSeconds > 100);
    assert.equal(report.revoked, false);
    sim.expireToken(token);
  });

  test('unreachable: stops after the health check with the network error', async () => {
    const port = await closedPort();
    const report = await inspectVault({
      config: writeSecretsmithFile(sim, { url: `https://127.0.0.1:${port}` }),
      mount: DEFAULT_MOUNT,
      path: DEFAULT_SECRET_PATH,
    });
    assert.equal(report.health, null);
    assert.equal(report.loginOk, false);
    assert.equal(report.error?.errorCode, 'ECONNREFUSED');
  });

  test('a bad secretsmith file is reported, not thrown', async () => {
    const report = await inspectVault({ config: '/nonexistent/carp-secretsmith.yaml', mount: 'apps', path: 'x' });
    assert.equal(report.url, null);
    assert.equal(report.error?.source, 'secrets');
  });
});

function restoreEnv(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

async function withEnv(name: string, value: string, run: () => Promise<void>): Promise<void> {
  const saved = process.env[name];
  process.env[name] = value;
  try {
    await run();
  } finally {
    restoreEnv(name, saved);
  }
}
