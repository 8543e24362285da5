import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { OVH_APPLICATION_KEY, OVH_APPLICATION_SECRET, OVH_CONSUMER_KEY, SECRET_VALUES } from '../support/secrets.ts';
import { type OvhSimulator, SEED_SERVER, startOvhSimulator } from '../support/ovh-sim/index.ts';
import { rawCall, realOvhClient, serverTime, settle, trustTestCaGlobally } from '../support/ovh-sim/test-clients.ts';

const LIMITED_CK = 'ck-limited-reader-0001';

let sim: OvhSimulator;

before(async () => {
  trustTestCaGlobally();
  sim = await startOvhSimulator({
    consumers: {
      [OVH_CONSUMER_KEY]: {
        rules: [
          { method: 'GET', path: '/*' },
          { method: 'POST', path: '/*' },
          { method: 'DELETE', path: '/*' },
        ],
      },
      [LIMITED_CK]: { rules: [{ method: 'GET', path: '/dedicated/server/*' }] },
      'ck-pending-0001': { rules: [{ method: 'GET', path: '/*' }], status: 'pendingValidation' },
      'ck-expired-0001': { rules: [{ method: 'GET', path: '/*' }], expiration: '2020-01-01T00:00:00Z' },
    },
  });
});

after(async () => {
  await sim.close();
});

test('/auth/time answers a bare integer, unauthenticated, with the configured clock offset', async () => {
  const answer = await rawCall(sim, 'GET', '/auth/time', { sign: false });
  assert.equal(answer.status, 200);
  assert.match(answer.text, /^\d+$/);
  assert.ok(Math.abs(Number(answer.text) - Date.now() / 1000) < 5);
  sim.setClockOffset(-7200);
  try {
    assert.ok(Math.abs((await serverTime(sim)) - (Date.now() / 1000 - 7200)) < 5);
  } finally {
    sim.setClockOffset(0);
  }
});

test('the real ovh client is accepted: it fetches /auth/time, then signs without the port', async () => {
  sim.clearLog();
  const client = realOvhClient(sim);
  const result = await settle(client.requestPromised('GET', `/dedicated/server/${SEED_SERVER}/virtualMac`));
  assert.deepEqual(result, { ok: true, value: ['00:50:56:09:3c:f2', '00:50:56:09:98:fc'] });
  assert.deepEqual(
    sim.requests().map((r) => `${r.method} ${r.path} ${r.status}`),
    ['GET /1.0/auth/time 200', `GET /1.0/dedicated/server/${SEED_SERVER}/virtualMac 200`],
  );
});

test('the real client signs POST bodies and query strings the simulator accepts', async () => {
  const client = realOvhClient(sim);
  const tasks = await settle(client.requestPromised('GET', `/dedicated/server/${SEED_SERVER}/task`, { status: 'done' }));
  assert.deepEqual(tasks, { ok: true, value: [] });
  const post = await settle(
    client.requestPromised('POST', `/dedicated/server/${SEED_SERVER}/virtualMac`, {
      ipAddress: '198.51.100.7',
      type: 'ovh',
      virtualMachineName: 'vm-é',
    }),
  );
  assert.equal(post.ok, true);
  await sim.waitForTasks();
  assert.equal(sim.locate('198.51.100.7')[0]?.via, 'virtual-mac');
});

test('a signature over the URL with its port is refused as INVALID_SIGNATURE', async () => {
  const answer = await rawCall(sim, 'GET', '/dedicated/server', { signWithPort: true });
  assert.equal(answer.status, 400);
  assert.deepEqual(answer.json, {
    class: 'Client::BadRequest',
    message: 'Invalid signature',
    httpCode: '400 Bad Request',
    errorCode: 'INVALID_SIGNATURE',
  });
});

test('a skewed client clock gives 400 INVALID_SIGNATURE', async () => {
  const now = await serverTime(sim);
  assert.equal((await rawCall(sim, 'GET', '/dedicated/server', { timestamp: now + 20 })).status, 200);
  const skewed = await rawCall(sim, 'GET', '/dedicated/server', { timestamp: now - 3600 });
  assert.equal(skewed.status, 400);
  assert.equal((skewed.json as { errorCode?: string }).errorCode, 'INVALID_SIGNATURE');

  // The real client keeps the offset it measured once: a server clock that jumps afterwards breaks it.
  const client = realOvhClient(sim);
  assert.equal((await settle(client.requestPromised('GET', '/dedicated/server'))).ok, true);
  sim.setClockOffset(3600);
  try {
    const result = await settle(client.requestPromised('GET', '/dedicated/server'));
    assert.deepEqual(result, { ok: false, error: 400, message: 'Invalid signature' });
  } finally {
    sim.setClockOffset(0);
  }
});

test('wrong keys: unknown AK, unknown CK, CK not validated or expired, wrong AS, unsigned', async () => {
  const cases: Array<[string, Parameters<typeof rawCall>[3], number, string]> = [
    ['unknown AK', { sign: { applicationKey: 'ak-unknown' } }, 403, 'INVALID_KEY'],
    ['unknown CK', { sign: { consumerKey: 'ck-unknown' } }, 403, 'NOT_CREDENTIAL'],
    ['pending CK', { sign: { consumerKey: 'ck-pending-0001' } }, 403, 'INVALID_CREDENTIAL'],
    ['expired CK', { sign: { consumerKey: 'ck-expired-0001' } }, 403, 'INVALID_CREDENTIAL'],
    ['wrong AS', { sign: { applicationSecret: 'as-wrong' } }, 400, 'INVALID_SIGNATURE'],
    ['no headers', { sign: false }, 403, 'INVALID_KEY'],
  ];
  for (const [label, options, status, errorCode] of cases) {
    const answer = await rawCall(sim, 'GET', '/dedicated/server', options);
    assert.equal(answer.status, status, label);
    assert.equal((answer.json as { errorCode?: string }).errorCode, errorCode, label);
    assert.equal(typeof (answer.json as { message?: unknown }).message, 'string', label);
  }
  const client = realOvhClient(sim, { appSecret: 'as-wrong' });
  assert.deepEqual(await settle(client.requestPromised('GET', '/dedicated/server')), {
    ok: false,
    error: 400,
    message: 'Invalid signature',
  });
});

test('a call outside the credential rules is 403 NOT_GRANTED_CALL', async () => {
  const reader = realOvhClient(sim, { consumerKey: LIMITED_CK });
  assert.equal((await settle(reader.requestPromised('GET', `/dedicated/server/${SEED_SERVER}/virtualMac`))).ok, true);
  // `/dedicated/server/*` does not cover `/dedicated/server` itself.
  assert.deepEqual(await settle(reader.requestPromised('GET', '/dedicated/server')), {
    ok: false,
    error: 403,
    message: 'This call has not been granted',
  });
  const denied = await rawCall(sim, 'DELETE', `/dedicated/server/${SEED_SERVER}/virtualMac/00:50:56:09:98:fc/virtualAddress/178.32.70.111`, {
    sign: { consumerKey: LIMITED_CK },
  });
  assert.equal(denied.status, 403);
  assert.equal((denied.json as { errorCode?: string }).errorCode, 'NOT_GRANTED_CALL');
  // Nothing was scheduled.
  assert.deepEqual(sim.virtualAddresses(SEED_SERVER, '00:50:56:09:98:fc'), ['51.68.252.230', '178.32.70.111']);
});

test('/auth/currentCredential describes the credential; node-ovh leaves it unsigned (401)', async () => {
  const answer = await rawCall(sim, 'GET', '/auth/currentCredential', { sign: { consumerKey: LIMITED_CK } });
  assert.equal(answer.status, 200);
  const credential = answer.json as Record<string, unknown>;
  assert.equal(credential.status, 'validated');
  assert.deepEqual(credential.rules, [{ method: 'GET', path: '/dedicated/server/*' }]);
  assert.equal(typeof credential.credentialId, 'number');
  assert.equal(typeof credential.applicationId, 'number');
  assert.ok('expiration' in credential);

  const client = realOvhClient(sim);
  assert.deepEqual(await settle(client.requestPromised('GET', '/auth/currentCredential')), {
    ok: false,
    error: 401,
    message: 'You must login first',
  });
});

test('every answer carries X-Ovh-QueryID, errors and /auth/time included', async () => {
  const answers = [
    await rawCall(sim, 'GET', '/auth/time', { sign: false }),
    await rawCall(sim, 'GET', '/dedicated/server'),
    await rawCall(sim, 'GET', '/dedicated/server', { sign: { applicationKey: 'nope' } }),
    await rawCall(sim, 'GET', '/dedicated/server/unknown.example/virtualMac'),
    await rawCall(sim, 'GET', '/no/such/route'),
  ];
  const ids = answers.map((a) => a.headers['x-ovh-queryid']);
  for (const id of ids) assert.match(String(id), /^EU\.ext-3\.[0-9a-f]+\.\d+\.[0-9a-f]+$/);
  assert.equal(new Set(ids).size, ids.length);
  assert.equal(answers[3]?.status, 404);
  assert.deepEqual(answers[3]?.json, {
    class: 'Client::NotFound',
    message: 'The requested object (serviceName = unknown.example) does not exist',
  });
  assert.equal(answers[4]?.status, 404);
});

test('the request log never holds a secret', async () => {
  const client = realOvhClient(sim);
  await settle(client.requestPromised('GET', '/dedicated/server'));
  const dump = JSON.stringify([sim.requests(), sim.stats(), sim.state()]);
  for (const secret of [...SECRET_VALUES, OVH_APPLICATION_SECRET]) assert.ok(!dump.includes(secret));
  assert.ok(!dump.includes('$1$'), 'no signature in the log');
  assert.ok(!dump.includes(OVH_APPLICATION_KEY), 'the log records no header at all');
});
