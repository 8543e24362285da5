/**
 * OVH and Vault answers of the wrong shape (wrong types, missing fields) or of
 * an absurd size, through the real hook: a clear, bounded error, never a crash or
 * a hang, and exit 2 when the answer's shape is what was wrong.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FaultSpec } from '../support/ovh-sim/index.ts';
import type { FaultRule } from '../support/vault-sim/index.ts';
import { assertCell, FAULT_TUNING, runCell, untilDeadline, type CellExpectation } from '../support/fault-cells.ts';
import { ADDRESS, LISTS, TASK, VMACS } from '../support/reliability-matrix.ts';
import { OVH_APPLICATION_KEY, OVH_APPLICATION_SECRET, OVH_CONSUMER_KEY } from '../support/secrets.ts';
import { startWorld, type World } from '../support/world.ts';

const READ = '/v1/apps/data/*';
const LOGIN = '/v1/auth/approle/login';
const MB = 1024 * 1024;

const answer = (method: FaultSpec['method'], path: string, body: unknown, times?: number): FaultSpec => ({
  method,
  path,
  ...(times === undefined ? {} : { times }),
  action: { type: 'status', status: 200, body },
});
const badShape = (log: RegExp, where: CellExpectation['where'] = 'peer'): CellExpectation => ({ code: 2, where, demoted: true, log });

/** `slowTask`: the DELETE's task is held until the first bad task answer is served, so its wait surely reads the task. */
const ovhCells: Array<[string, FaultSpec[], CellExpectation, { slowTask?: boolean; shortDeadline?: boolean }?]> = [
  ['auth/time answers a string', [answer('GET', '/auth/time', 'soon')], badShape(/auth\/time: unreadable answer \(not a number of seconds\)/)],
  ['vMAC list is an object', [answer('GET', VMACS, { macs: 'no' })], badShape(/GET virtualMac with something that is not a list of strings/)],
  [
    'vMAC list holds something that is not a MAC',
    [answer('GET', VMACS, ['00:50:56:09:3c:f2', 'not-a-mac; rm -rf /'])],
    badShape(/listed a vMAC that is not a MAC address/),
  ],
  ['address list holds numbers', [answer('GET', LISTS, [51, 68, 252, 230])], badShape(/virtualAddress with something that is not a list of strings/)],
  ['address list is a bare string', [answer('GET', LISTS, '51.68.252.230')], badShape(/not a list of strings/)],
  ['DELETE answers an empty object (no task)', [answer('DELETE', ADDRESS, {})], badShape(/DELETE .* with something that is not a task/)],
  [
    'DELETE answers a task whose taskId is a string',
    [answer('DELETE', ADDRESS, { taskId: '4200001', status: 'todo', function: 'removeVirtualMac' })],
    badShape(/not a task/),
  ],
  // The task only tells a failure early: an unreadable one is logged and the address list decides.
  [
    'task read lacks the status',
    [{ method: 'GET', path: TASK, action: { type: 'status', status: 200, body: { taskId: 4200001 } } }],
    {
      code: 0,
      where: 'ours',
      demoted: false,
      log: /GET task\/\d+ with something that is not a task.*waiting on the address list alone|cannot read task \d+; waiting on the address list alone.*not a task/,
    },
    { slowTask: true },
  ],
  // A POST answer that cannot be read may hide an accepted POST: re-locate and try again until the deadline.
  [
    'POST answers null',
    [answer('POST', LISTS, null)],
    { code: 1, where: 'nowhere', demoted: true, log: /not a task.*is detached, trying again/ },
    { shortDeadline: true },
  ],
  // A proxy's error page (HTML) instead of OVH's JSON.
  [
    'locate answers 502 with an HTML page',
    [{ method: 'GET', path: LISTS, action: { type: 'malformed', status: 502, body: '<html><body><h1>502 Bad Gateway</h1></body></html>' } }],
    { code: 1, where: 'peer', demoted: true, log: /HTTP 502/ },
  ],
];

describe('OVH answers of the wrong shape', () => {
  let world: World;
  before(async () => {
    world = await startWorld({ label: 'bad-answers-ovh', ovh: { delays: { delete: 60, add: 60 } } });
  });
  after(() => world.close());

  for (const [name, faults, expected, options] of ovhCells) {
    test(name, async () => {
      const held = 3_600_000;
      if (options?.slowTask === true) world.ovh.setDelays({ delete: held });
      let result: Awaited<ReturnType<typeof runCell>>;
      try {
        result = await runCell(
          world,
          { ovh: faults },
          {
            ...(options?.shortDeadline === true ? { router: { ovhExtra: untilDeadline(8000) } } : {}),
            ...(options?.slowTask === true ? { onFirstFaultHit: () => world.ovh.advanceTaskClock(held) } : {}),
          },
        );
      } finally {
        world.ovh.setDelays({ delete: 60 });
      }
      assert.ok(result.faultHits > 0, `the answer was never served\n${result.logText}`);
      assertCell(result, expected);
    });
  }

  test('a 4 MB error message: the error is reported, bounded, in the log and on stdout', async () => {
    const huge = `overloaded ${'x'.repeat(4 * MB)}`;
    // 4 MB over TLS can take longer than the cells' 1 s request timeout on a loaded machine: this cell is about size.
    const result = await runCell(
      world,
      { ovh: [{ method: 'GET', path: LISTS, action: { type: 'status', status: 503, message: huge } }] },
      { router: { ovhExtra: FAULT_TUNING.replace(/timeout: \S+/, 'timeout: 10s') } },
    );
    assertCell(result, { code: 1, where: 'peer', demoted: true, log: /"status":503/ });
    assert.ok(result.stdout.length < 64 * 1024, `stdout of ${result.stdout.length} bytes`);
    const longest = Math.max(...result.logText.split('\n').map((line) => line.length));
    assert.ok(longest < 64 * 1024, `a log line of ${longest} bytes`);
  });

  test('a 5 MB answer of the right shape is read, not choked on', async () => {
    // 400k extra addresses on the peer's vMAC: a list OVH would never send, still a list of strings.
    const filler = Array.from({ length: 400_000 }, (_, i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
    // A request timeout far above what 5 MB takes, so the claim reads this answer rather than timing out and retrying.
    const result = await runCell(
      world,
      { ovh: [answer('GET', '/dedicated/server/*/virtualMac/00:50:56:09:98:fc/virtualAddress', ['51.68.252.230', '178.32.70.111', ...filler], 1)] },
      { router: { ovhExtra: FAULT_TUNING.replace(/timeout: \S+/, 'timeout: 10s') } },
    );
    assert.ok(result.faultHits > 0);
    assert.doesNotMatch(result.logText, /no answer within/, 'the big answer was read, not timed out and asked again');
    assertCell(result, { code: 0, where: 'ours', demoted: false, log: /claim finished successfully/ });
  });
});

describe('Vault answers of the wrong shape', () => {
  let world: World;
  before(async () => {
    world = await startWorld({ label: 'bad-answers-vault', ovh: { delays: { delete: 60, add: 60 } } });
  });
  after(() => world.close());

  const full = { application_key: OVH_APPLICATION_KEY, application_secret: OVH_APPLICATION_SECRET, consumer_key: OVH_CONSUMER_KEY };
  const kv2 = (data: unknown): unknown => ({ data: { data, metadata: { version: 1 } } });
  const vaultCells: Array<[string, FaultRule[], CellExpectation]> = [
    ['a key holds a number', [{ path: READ, status: 200, body: kv2({ ...full, consumer_key: 12345 }) }], badShape(/lacks consumer_key/)],
    [
      'a key is missing',
      [{ path: READ, status: 200, body: kv2({ application_key: OVH_APPLICATION_KEY, application_secret: OVH_APPLICATION_SECRET }) }],
      badShape(/lacks consumer_key/),
    ],
    ['data.data is a list', [{ path: READ, status: 200, body: { data: { data: ['application_key'] } } }], badShape(/has no data\.data \(KV v2\) mapping/)],
    ['the answer is a JSON list', [{ path: READ, status: 200, body: [] }], badShape(/read apps\/data\/network\/carp-hyper-001-switch/)],
    ['login answers without a token', [{ path: LOGIN, status: 200, body: { auth: { client_token: 42 } } }], badShape(/AppRole login/)],
    ['login answers auth: null', [{ path: LOGIN, status: 200, body: { auth: null } }], badShape(/AppRole login/)],
    [
      'a 403 with a 4 MB error list',
      [{ path: READ, status: 403, body: { errors: Array.from({ length: 2000 }, () => 'permission denied '.repeat(100)) } }],
      { code: 1, where: 'peer', demoted: true, log: /permission denied/ },
    ],
  ];

  for (const [name, rules, expected] of vaultCells) {
    test(name, async () => {
      const result = await runCell(world, { vault: rules });
      assert.ok(result.faultHits > 0);
      assertCell(result, expected);
      const longest = Math.max(...result.logText.split('\n').map((line) => line.length));
      assert.ok(longest < 64 * 1024, `a log line of ${longest} bytes`);
    });
  }

  test('a 6 MB secret of the right shape (padding around the keys): read, and the claim succeeds', async () => {
    const result = await runCell(world, { vault: [{ path: READ, status: 200, body: kv2({ ...full, notes: 'n'.repeat(6 * MB) }) }] });
    assertCell(result, { code: 0, where: 'ours', demoted: false, log: /claim finished successfully/ });
  });
});
