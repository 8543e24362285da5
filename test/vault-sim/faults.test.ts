import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import vault from 'node-vault';
import { CA_PATH } from '../support/certs.ts';
import { SECRET_MARKERS, VAULT_ROLE_ID, VAULT_SECRET_ID } from '../support/secrets.ts';
import { startVaultSimulator, type VaultSimulator } from '../support/vault-sim/index.ts';
import { waitUntil } from '../support/wait.ts';

const ca = readFileSync(CA_PATH);
const SECRET = 'apps/data/network/carp-hyper-001-switch';

function client(sim: VaultSimulator, timeout = 2000): vault.client {
  return vault({ endpoint: sim.url, requestOptions: { ca, timeout } });
}

async function failure(promise: Promise<unknown>): Promise<{ message: string; status: number; code: string | undefined }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { message: string; code?: string; response?: { statusCode: number } };
    return { message: e.message, status: e.response?.statusCode ?? 0, code: e.code };
  }
  assert.fail('expected a rejection');
}

describe('vault-sim: fault injection', () => {
  let sim: VaultSimulator;
  before(async () => {
    sim = await startVaultSimulator();
  });
  after(() => sim.close());

  test('a status fault for the next N calls only, filtered by method', async () => {
    const fault = sim.injectFault({ method: 'post', path: '/v1/auth/approle/login', times: 2, status: 502 });
    const v = client(sim);
    for (let i = 0; i < 2; i += 1) {
      const f = await failure(v.approleLogin({ role_id: VAULT_ROLE_ID, secret_id: VAULT_SECRET_ID }));
      assert.equal(f.status, 502);
      assert.equal(f.message, 'simulated fault');
    }
    await v.approleLogin({ role_id: VAULT_ROLE_ID, secret_id: VAULT_SECRET_ID });
    assert.equal(fault.hits, 2);
    assert.deepEqual(
      sim.requests.slice(-3).map((r) => [r.status, r.fault]),
      [
        [502, 'status'],
        [502, 'status'],
        [200, null],
      ],
    );
  });

  test('a custom body, a glob path, and remove()', async () => {
    const fault = sim.injectFault({ path: '/v1/apps/*', status: 503, body: { errors: ['Vault is sealed'] } });
    const v = client(sim);
    await v.approleLogin({ role_id: VAULT_ROLE_ID, secret_id: VAULT_SECRET_ID });
    const f = await failure(v.read(SECRET));
    assert.equal(f.status, 503);
    assert.equal(f.message, 'Vault is sealed');
    fault.remove();
    await v.read(SECRET);
  });

  test('delay: the answer comes late but normal', async () => {
    sim.injectFault({ path: '/v1/sys/health', times: 1, delayMs: 150 });
    const started = Date.now();
    const body = await client(sim).health();
    assert.ok(Date.now() - started >= 140);
    assert.equal(body.sealed, false);
    assert.equal(sim.requests.at(-1)?.fault, 'delay');
  });

  test('stall: node-vault only gets out through its timeout (ECONNABORTED)', async () => {
    sim.injectFault({ path: '/v1/auth/approle/login', times: 1, stall: true });
    const started = Date.now();
    const f = await failure(client(sim, 200).approleLogin({ role_id: VAULT_ROLE_ID, secret_id: VAULT_SECRET_ID }));
    const elapsed = Date.now() - started;
    assert.equal(f.code, 'ECONNABORTED');
    assert.match(f.message, /timeout of 200ms exceeded/);
    // Not before the timeout; the upper bound only tells "gave up" from "hung", under any load.
    assert.ok(elapsed >= 190 && elapsed < 10_000, `elapsed ${elapsed}`);
    assert.deepEqual(sim.requests.at(-1) && [sim.requests.at(-1)!.status, sim.requests.at(-1)!.fault], [0, 'stall']);
  });

  test('drop: the connection dies without an answer', async () => {
    sim.injectFault({ path: '/v1/auth/approle/login', times: 1, drop: true });
    const f = await failure(client(sim).approleLogin({ role_id: VAULT_ROLE_ID, secret_id: VAULT_SECRET_ID }));
    assert.equal(f.status, 0);
    assert.ok(f.code === 'ECONNRESET' || /socket hang up/.test(f.message), `${f.code} ${f.message}`);
  });

  test('malformed JSON: node-vault (axios, silent parsing) resolves with the raw text', async () => {
    const v = client(sim);
    await v.approleLogin({ role_id: VAULT_ROLE_ID, secret_id: VAULT_SECRET_ID });
    sim.injectFault({ method: 'GET', path: `/v1/${SECRET}`, times: 1, malformed: true });
    const body: unknown = await v.read(SECRET);
    assert.equal(typeof body, 'string');
    assert.throws(() => JSON.parse(body as string));
  });

  test('onMatch runs before the request is handled (expire tokens between login and read)', async () => {
    const v = client(sim);
    await v.approleLogin({ role_id: VAULT_ROLE_ID, secret_id: VAULT_SECRET_ID });
    sim.injectFault({ method: 'GET', path: `/v1/${SECRET}`, times: 1, onMatch: () => sim.expireToken() });
    const f = await failure(v.read(SECRET));
    assert.equal(f.status, 403);
    assert.equal(f.message, 'permission denied');
  });

  test('a RegExp path and clearFaults()', async () => {
    sim.injectFault({ path: /^\/v1\/sys\//, status: 500 });
    const v = client(sim);
    await v.approleLogin({ role_id: VAULT_ROLE_ID, secret_id: VAULT_SECRET_ID });
    await v.tokenLookupSelf(); // not under sys/: untouched
    await v.health(); // node-vault resolves sys/health whatever the status
    assert.deepEqual([sim.requests.at(-1)?.status, sim.requests.at(-1)?.fault], [500, 'status']);
    sim.clearFaults();
    await v.health();
    assert.equal(sim.requests.at(-1)?.status, 200);
  });

  test('counters and a log free of secrets', () => {
    const c = sim.counters;
    assert.ok(c.logins >= 4);
    assert.ok(c.requests >= sim.requests.length);
    const text = JSON.stringify(sim.requests);
    for (const marker of SECRET_MARKERS) assert.ok(!text.includes(marker));
  });
});

describe('vault-sim: lifecycle', () => {
  test('close() ends even with a stalled request in flight', async () => {
    const sim = await startVaultSimulator();
    sim.injectFault({ path: '*', stall: true });
    const pending = failure(client(sim, 60_000).health());
    await waitUntil('the stalled request to reach the simulator', () => sim.requests.some((r) => r.fault === 'stall'));
    const started = Date.now();
    await sim.close();
    // The client would wait 60 s: only close() destroying the socket ends it sooner.
    assert.ok(Date.now() - started < 30_000, 'close() waited for the stalled request');
    const f = await pending;
    assert.equal(f.status, 0);
  });

  test('rogue TLS: a client trusting only the test CA refuses the certificate', async () => {
    const sim = await startVaultSimulator({ tls: 'rogue' });
    try {
      const f = await failure(client(sim).health());
      assert.equal(f.status, 0);
      assert.match(f.code ?? '', /SELF_SIGNED|UNABLE_TO_VERIFY|CERT/);
    } finally {
      await sim.close();
    }
  });
});

describe('vault-sim: the node-vault TLS default (reference/vault.md)', () => {
  test('without strictSSL, any VAULT_SKIP_VERIFY value, even "false", turns verification off', async () => {
    const sim = await startVaultSimulator({ tls: 'rogue' });
    const saved = process.env.VAULT_SKIP_VERIFY;
    process.env.VAULT_SKIP_VERIFY = 'false';
    try {
      const body = await vault({ endpoint: sim.url, requestOptions: { timeout: 2000 } }).health();
      assert.equal(body.sealed, false);
      // An explicit strictSSL: true restores the check.
      const strict = vault({ endpoint: sim.url, requestOptions: { timeout: 2000, strictSSL: true } });
      assert.equal((await failure(strict.health())).status, 0);
    } finally {
      if (saved === undefined) delete process.env.VAULT_SKIP_VERIFY;
      else process.env.VAULT_SKIP_VERIFY = saved;
      await sim.close();
    }
  });
});
