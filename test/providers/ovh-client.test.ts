import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import https from 'node:https';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, beforeEach, test } from 'node:test';
import { CarpOvhError, describeError } from '../../src/errors.ts';
import { createOvhClient, type OvhClient, type OvhClientOptions } from '../../src/providers/ovh/client.ts';
import { CA_PATH } from '../support/certs.ts';
import {
  type OvhSimulator,
  SEED_MAC_ROUTER_003 as MAC_003,
  SEED_SERVER as SN,
  SEED_VIP as VIP,
  seedState,
  startOvhSimulator,
} from '../support/ovh-sim/index.ts';
import { OVH_APPLICATION_KEY, OVH_APPLICATION_SECRET, OVH_CONSUMER_KEY, SECRET_VALUES } from '../support/secrets.ts';
import { makeTempDir } from '../support/tmp.ts';

const CREDENTIALS = {
  applicationKey: OVH_APPLICATION_KEY,
  applicationSecret: OVH_APPLICATION_SECRET,
  consumerKey: OVH_CONSUMER_KEY,
};
const READER_CK = 'ck-reader-only-0001';
/** The stall test's timeout: short, since the test waits it out. */
const TIMEOUT = 400;
/** Every other client's: no answer is late by it, however loaded the machine. */
const PATIENT_TIMEOUT = 20_000;

let sim: OvhSimulator;
const clients: OvhClient[] = [];

function client(overrides: Partial<OvhClientOptions> = {}): OvhClient {
  const made = createOvhClient({ url: sim.url, ca: CA_PATH, timeoutMs: PATIENT_TIMEOUT, credentials: CREDENTIALS, ...overrides });
  clients.push(made);
  return made;
}

async function failure(promise: Promise<unknown>): Promise<CarpOvhError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof CarpOvhError, `expected a CarpOvhError, got ${String(error)}`);
    assert.equal(error.source, 'ovh');
    const shown = JSON.stringify([error.message, error.toLogObject(), describeError(error)]);
    for (const secret of SECRET_VALUES) assert.ok(!shown.includes(secret), 'a secret leaked into the error');
    assert.ok(!shown.includes('$1$'), 'a signature leaked into the error');
    return error;
  }
  assert.fail('expected the call to fail');
}

before(async () => {
  sim = await startOvhSimulator({
    consumers: {
      [OVH_CONSUMER_KEY]: {
        rules: (['GET', 'POST', 'PUT', 'DELETE'] as const).map((method) => ({ method, path: '/*' })),
      },
      [READER_CK]: { rules: [{ method: 'GET', path: '/dedicated/server/*' }] },
    },
    delays: { delete: 20, add: 20 },
  });
});

beforeEach(async () => {
  sim.clearFaults();
  await sim.waitForTasks();
  sim.setState(seedState());
  sim.setClockOffset(0);
  sim.clearLog();
});

after(async () => {
  for (const c of clients) c.close();
  await sim.close();
});

test('success: GET, GET with a query, POST, an /ip path with %2F32, /auth/currentCredential', async () => {
  const c = client();
  assert.deepEqual(await c.request('GET', '/dedicated/server'), [SN]);
  const task = await c.request<{ taskId: number; status: string }>('DELETE', `/dedicated/server/${SN}/virtualMac/${MAC_003}/virtualAddress/${VIP}`);
  assert.equal(task.status, 'todo');
  assert.deepEqual(await c.request('GET', `/dedicated/server/${SN}/task`, { function: 'virtualMacDelete' }), [task.taskId]);
  await sim.waitForTasks();
  const added = await c.request<{ function: string }>('POST', `/dedicated/server/${SN}/virtualMac/00:50:56:09:3c:f2/virtualAddress`, {
    ipAddress: VIP,
    virtualMachineName: 'router-002',
  });
  assert.equal(added.function, 'virtualMacAdd');
  const ip = await c.request<{ ip: string }>('GET', `/ip/${VIP}%2F32`);
  assert.equal(ip.ip, `${VIP}/32`);
  // node-ovh leaves /auth paths unsigned; the adapter signs them itself.
  const credential = await c.request<{ status: string }>('GET', '/auth/currentCredential');
  assert.equal(credential.status, 'validated');
  assert.equal(c.requestCount, 7, 'one /auth/time, then six calls');
  assert.deepEqual(
    sim.requests().map((r) => r.status),
    [200, 200, 200, 200, 200, 200, 200],
  );
});

test('any 2xx is a success; an empty body is null', async () => {
  const c = client();
  sim.addFault({ path: '/dedicated/server', times: 1, action: { type: 'status', status: 201, body: { created: true } } });
  assert.deepEqual(await c.request('GET', '/dedicated/server'), { created: true });
  sim.addFault({ path: '/dedicated/server', times: 1, action: { type: 'malformed', status: 204, body: '' } });
  assert.equal(await c.request('GET', '/dedicated/server'), null);
});

test('503 is retryable and carries the status, class and X-Ovh-QueryID', async () => {
  const c = client();
  await c.request('GET', '/dedicated/server');
  sim.addFault({ path: '/dedicated/server', times: 1, action: { type: 'status', status: 503 } });
  const error = await failure(c.request('GET', '/dedicated/server'));
  assert.equal(error.status, 503);
  assert.equal(error.retryable, true);
  assert.equal(error.timedOut, false);
  assert.equal(error.errorCode, 'Server::ServiceUnavailable');
  assert.equal(error.queryId, sim.requests().at(-1)?.queryId);
  assert.match(error.message, /GET \/dedicated\/server: Service temporarily unavailable/);
});

test('an HTML 408 from an overloaded front is retryable, with its status and no OVH message', async () => {
  const c = client();
  await c.request('GET', '/dedicated/server');
  sim.setDialects({ html408: 'before' });
  try {
    const error = await failure(c.request('GET', '/dedicated/server'));
    assert.equal(error.status, 408);
    assert.equal(error.retryable, true);
    assert.match(error.message, /GET \/dedicated\/server: HTTP 408/);
    assert.deepEqual(await c.request('GET', '/dedicated/server'), Object.keys(sim.state().dedicated), 'the same call again is answered');
  } finally {
    sim.setDialects({ html408: 'off' });
  }
});

test('403 NOT_GRANTED_CALL is not retryable and keeps errorCode and query ID', async () => {
  const c = client({ credentials: { ...CREDENTIALS, consumerKey: READER_CK } });
  await c.request('GET', `/dedicated/server/${SN}/virtualMac`);
  const error = await failure(c.request('DELETE', `/dedicated/server/${SN}/virtualMac/${MAC_003}/virtualAddress/${VIP}`));
  assert.equal(error.status, 403);
  assert.equal(error.errorCode, 'NOT_GRANTED_CALL');
  assert.equal(error.retryable, false);
  assert.match(error.queryId ?? '', /^EU\.ext-3\./);
  assert.equal(error.queryId, sim.requests().at(-1)?.queryId);
  assert.match(describeError(error), /NOT_GRANTED_CALL, X-Ovh-QueryID EU\.ext-3\./);
  const unknown = await failure(client({ credentials: { ...CREDENTIALS, consumerKey: 'ck-unknown-0001' } }).request('GET', '/dedicated/server'));
  assert.equal(unknown.errorCode, 'NOT_CREDENTIAL');
  assert.equal(unknown.retryable, false);
});

test('a server clock that jumps gives 400 INVALID_SIGNATURE once; the next call measures the offset again', async () => {
  const c = client();
  await c.request('GET', '/dedicated/server');
  sim.setClockOffset(3600);
  const error = await failure(c.request('GET', '/dedicated/server'));
  assert.equal(error.status, 400);
  assert.equal(error.errorCode, 'INVALID_SIGNATURE');
  assert.equal(error.retryable, false);
  assert.deepEqual(await c.request('GET', '/dedicated/server'), [SN]);
  assert.deepEqual(
    sim.requests().map((r) => `${r.path} ${r.status}`),
    ['/1.0/auth/time 200', '/1.0/dedicated/server 200', '/1.0/dedicated/server 400', '/1.0/auth/time 200', '/1.0/dedicated/server 200'],
  );
  const wrongSecret = await failure(client({ credentials: { ...CREDENTIALS, applicationSecret: 'as-wrong-0001' } }).request('GET', '/dedicated/server'));
  assert.equal(wrongSecret.errorCode, 'INVALID_SIGNATURE');
});

test('clockOffset() is server minus local time, and a skewed local clock still signs right', async () => {
  sim.setClockOffset(-95);
  const c = client();
  const offset = await c.clockOffset();
  assert.ok(Math.abs(offset - -95) <= 1, `offset ${offset}`);
  assert.deepEqual(await c.request('GET', '/dedicated/server'), [SN]);
  assert.equal(sim.requests().filter((r) => r.path === '/1.0/auth/time').length, 1, 'the measured offset is reused');
});

test('concurrent first calls share one /auth/time', async () => {
  const c = client();
  await Promise.all(Array.from({ length: 5 }, () => c.request('GET', '/dedicated/server')));
  assert.equal(sim.requests().filter((r) => r.path === '/1.0/auth/time').length, 1);
  assert.equal(c.requestCount, 6);
});

test('a dropped connection: status 0, ECONNRESET, retryable', async () => {
  const c = client();
  await c.request('GET', '/dedicated/server');
  sim.addFault({ path: '/dedicated/server', times: 1, action: { type: 'drop' } });
  const error = await failure(c.request('GET', '/dedicated/server'));
  assert.equal(error.status, 0);
  assert.equal(error.errorCode, 'ECONNRESET');
  assert.equal(error.retryable, true);
  assert.equal(error.queryId, undefined);
});

test('a stall past the timeout: timedOut, ETIMEDOUT, retryable, on time', async () => {
  const c = client({ timeoutMs: TIMEOUT });
  await c.request('GET', '/dedicated/server');
  sim.addFault({ path: '/dedicated/server', times: 1, action: { type: 'stall' } });
  const started = Date.now();
  const error = await failure(c.request('GET', '/dedicated/server'));
  const elapsed = Date.now() - started;
  // Not before the timeout; the upper bound only tells "gave up" from "hung", under any load.
  assert.ok(elapsed >= TIMEOUT - 5 && elapsed < TIMEOUT + 10_000, `gave up after ${elapsed} ms`);
  assert.equal(error.timedOut, true);
  assert.equal(error.retryable, true);
  assert.equal(error.status, 0);
  assert.equal(error.errorCode, 'ETIMEDOUT');
  // The stalled socket was destroyed; the next call works.
  assert.deepEqual(await c.request('GET', '/dedicated/server'), [SN]);
});

test('a slow answer within the timeout is fine', async () => {
  // Slow (1 s, beyond the other tests' timeout) and well within this client's, even on a loaded machine.
  const c = client();
  sim.addFault({ path: '/dedicated/server', times: 1, action: { type: 'delay', ms: 1000 } });
  assert.deepEqual(await c.request('GET', '/dedicated/server'), [SN]);
});

test('a malformed 200 body is badInput, not retryable, with the query ID', async () => {
  const c = client();
  sim.addFault({ path: '/dedicated/server/*/virtualMac', times: 1, action: { type: 'malformed' } });
  const error = await failure(c.request('GET', `/dedicated/server/${SN}/virtualMac`));
  assert.equal(error.badInput, true);
  assert.equal(error.retryable, false);
  assert.equal(error.status, 200);
  assert.equal(error.errorCode, 'MALFORMED_RESPONSE');
  assert.ok(error.queryId);
  // A 502 HTML page from a proxy keeps its status and stays retryable.
  sim.addFault({ path: '/dedicated/server', times: 1, action: { type: 'malformed', status: 502, body: '<html>Bad gateway</html>' } });
  const proxy = await failure(c.request('GET', '/dedicated/server'));
  assert.equal(proxy.status, 502);
  assert.equal(proxy.retryable, true);
  assert.equal(proxy.badInput, false);
});

test('connection refused: status 0, ECONNREFUSED, retryable', async () => {
  const listener = createServer();
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const { port } = listener.address() as AddressInfo;
  await new Promise<void>((resolve) => listener.close(() => resolve()));
  const error = await failure(client({ url: `https://127.0.0.1:${port}/1.0` }).request('GET', '/dedicated/server'));
  assert.equal(error.status, 0);
  assert.equal(error.errorCode, 'ECONNREFUSED');
  assert.equal(error.retryable, true);
});

test('TLS: a rogue certificate, or no CA for the test one, fails with the TLS code, not retryable', async () => {
  const rogue = await startOvhSimulator({ tls: 'rogue' });
  try {
    const error = await failure(client({ url: rogue.url }).request('GET', '/dedicated/server'));
    assert.equal(error.status, 0);
    assert.equal(error.errorCode, 'DEPTH_ZERO_SELF_SIGNED_CERT');
    assert.equal(error.retryable, false);
    assert.match(error.message, /TLS verification of 127\.0\.0\.1:\d+ failed/);
  } finally {
    await rogue.close();
  }
  const untrusted = await failure(client({ ca: undefined }).request('GET', '/dedicated/server'));
  assert.match(untrusted.errorCode ?? '', /^(UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)$/);
  assert.equal(untrusted.retryable, false);
});

test('the CA is scoped to the client: the global agent and https.request are untouched', async () => {
  const original = https.request;
  await client().request('GET', '/dedicated/server');
  assert.equal(https.request, original);
  assert.equal(https.globalAgent.options.ca, undefined);
  await assert.rejects(new Promise((resolve, reject) => https.get(`${sim.url}/auth/time`, resolve).on('error', reject)), (error: { code?: string }) =>
    /CERT|SIGNATURE|ISSUER/.test(error.code ?? ''),
  );
});

test('abort: a signal aborted before the call sends nothing; an abort during a stall ends it at once', async () => {
  const c = client();
  await c.request('GET', '/dedicated/server');
  const countBefore = c.requestCount;
  const error = await failure(c.request('GET', '/dedicated/server', undefined, { signal: AbortSignal.abort() }));
  assert.equal(error.isCanceled, true);
  assert.equal(error.retryable, false);
  assert.equal(error.status, 0);
  assert.equal(c.requestCount, countBefore);

  sim.addFault({ path: '/dedicated/server', times: 1, action: { type: 'stall' } });
  const controller = new AbortController();
  setTimeout(() => controller.abort(new Error('no longer MASTER')), 50);
  const started = Date.now();
  // A timeout far beyond the abort: only the abort can end this call early.
  const patient = client({ timeoutMs: 3 * PATIENT_TIMEOUT });
  const aborted = await failure(patient.request('GET', '/dedicated/server', undefined, { signal: controller.signal }));
  assert.ok(Date.now() - started < 30_000, 'ended by the abort, not the timeout');
  assert.equal(aborted.isCanceled, true);
  assert.equal(aborted.timedOut, false);
  assert.match(aborted.message, /cancelled: no longer MASTER/);
});

test('a server message echoing a secret is redacted', async () => {
  const c = client();
  // A path of its own: the abort test before this one leaves a request to /dedicated/server
  // that the stand-in, in this process, may read only after this fault is set.
  const path = '/dedicated/server/ns-redaction.example';
  sim.addFault({ path, times: 1, action: { type: 'status', status: 400, message: `bad consumer ${OVH_CONSUMER_KEY}` } });
  const error = await failure(c.request('GET', path));
  assert.match(error.message, /bad consumer \[redacted\]/);
});

test('50 requests on one keep-alive agent: no MaxListenersExceededWarning, one long-lived signal', async () => {
  const warnings: Error[] = [];
  const onWarning = (warning: Error) => warnings.push(warning);
  process.on('warning', onWarning);
  try {
    const c = client();
    const controller = new AbortController();
    for (let i = 0; i < 50; i++) await c.request('GET', '/dedicated/server', undefined, { signal: controller.signal });
    assert.equal(c.requestCount, 51);
    // An AbortSignal does not warn by itself: count what is left on it.
    assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off('warning', onWarning);
  }
  assert.deepEqual(
    warnings.map((w) => w.name),
    [],
  );
});

test('API root: endpoint from node-ovh table, or url; exactly one; config errors otherwise', () => {
  const cases: Array<[Partial<OvhClientOptions>, string]> = [
    [{ endpoint: 'ovh-eu', url: undefined }, 'https://eu.api.ovh.com/1.0'],
    [{ endpoint: 'ovh-ca', url: undefined }, 'https://ca.api.ovh.com/1.0'],
    [{ endpoint: 'ovh-us', url: undefined }, 'https://api.us.ovhcloud.com/1.0'],
    [{ url: 'https://127.0.0.1:8443/1.0' }, 'https://127.0.0.1:8443/1.0'],
    [{ url: 'https://api.example:443/1.0/' }, 'https://api.example/1.0'],
    [{ url: 'https://api.example/v1' }, 'https://api.example/v1'],
  ];
  for (const [options, root] of cases) {
    assert.equal(createOvhClient({ timeoutMs: 1000, credentials: CREDENTIALS, ...options }).apiRoot, root);
  }
  const bad: Array<[Partial<OvhClientOptions>, RegExp]> = [
    [{ endpoint: 'ovh-mars' }, /unknown endpoint "ovh-mars"/],
    [{ endpoint: 'ovh-eu', url: 'https://127.0.0.1/1.0' }, /exactly one/],
    [{}, /exactly one/],
    [{ url: 'http://127.0.0.1/1.0' }, /HTTPS only/],
    [{ url: 'https://user:pw@127.0.0.1/1.0' }, /without credentials/],
    [{ url: 'not a url' }, /not a URL/],
    [{ url: 'https://127.0.0.1/1.0', ca: join(makeTempDir('ovh-client-ca'), 'missing.pem') }, /cannot read .*missing\.pem \(ENOENT\)/],
    [{ url: 'https://127.0.0.1/1.0', timeoutMs: 0 }, /timeoutMs/],
  ];
  for (const [options, message] of bad) {
    assert.throws(
      () => createOvhClient({ timeoutMs: 1000, credentials: CREDENTIALS, ...options }),
      (error: unknown) => error instanceof CarpOvhError && error.source === 'config' && error.badInput && message.test(error.message),
      JSON.stringify(options),
    );
  }
  assert.throws(
    () => createOvhClient({ url: 'https://127.0.0.1/1.0', timeoutMs: 1000, credentials: { ...CREDENTIALS, consumerKey: '' } }),
    (error: unknown) => error instanceof CarpOvhError && /consumer_key missing/.test(error.message) && !error.message.includes(OVH_APPLICATION_SECRET),
  );
});
