/**
 * `via: ip-move` through the real CLI, the way devd and cron run it: two
 * bare-metal routers, each its own dedicated server, against the OVH and Vault
 * stand-ins. The hook moves the failover IP with `POST /ip/{ip}/move` on the
 * exact URL it signs (the block `…%2F32`); status shows the server each VIP is
 * routed to; doctor shows the rules the key needs and whether OVH offers the
 * next taker's server as a destination; a dry run sends nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createOvhClient } from '../../src/providers/ovh/client.ts';
import { checkOf, doctorJson, writeHealthyCheck } from '../doctor/support.ts';
import { CA_PATH } from '../support/certs.ts';
import { BARE_METAL_SERVERS, BARE_METAL_VIP, bareMetalState, grantAll } from '../support/ovh-sim/index.ts';
import { OVH_APPLICATION_KEY, OVH_APPLICATION_SECRET, OVH_CONSUMER_KEY } from '../support/secrets.ts';
import { makeTempDir } from '../support/tmp.ts';
import { startWorld, type Router, type World } from '../support/world.ts';

const [SERVER_A, SERVER_B] = BARE_METAL_SERVERS;
const VIP = BARE_METAL_VIP;
/** The path as the CLI sends and signs it: the block, URL-encoded. */
const IP_PATH = `/1.0/ip/${VIP}%2F32`;

interface StatusJson {
  vhids: Array<{ state: string; addresses: Array<{ address: string; holder: string | null; here: boolean | null; where?: string }> }>;
}

describe('via: ip-move through the CLI', () => {
  let world: World;
  let ra: Router;
  let rb: Router;
  let rootA: string;
  let rootB: string;

  const mutations = (from: number) =>
    world.ovh
      .requests()
      .slice(from)
      .filter((r) => r.method !== 'GET');
  const routedTo = () => world.ovh.state().ips[VIP]?.routedTo;
  const doctor = async (router: Router, root: string) => {
    const result = await router.cli(['doctor', '--json', '--root', root]);
    return { result, report: doctorJson(result) };
  };
  const status = async (router: Router) => {
    const result = await router.cli(['status', '--json']);
    assert.equal(result.code, 0, result.stderr);
    return JSON.parse(result.stdout) as StatusJson;
  };

  before(async () => {
    world = await startWorld({ label: 'ip-move-cli', ovh: { state: bareMetalState(SERVER_A), delays: { move: 150 } } });
    const spec = { vips: [VIP], via: 'ip-move' as const };
    ra = world.router({ name: 'router-a', mac: '0c:c4:7a:00:00:0a', ownAddress: '203.0.113.10', state: 'MASTER', server: SERVER_A, ...spec });
    rb = world.router({ name: 'router-b', mac: '0c:c4:7a:00:00:0b', ownAddress: '203.0.113.11', state: 'BACKUP', server: SERVER_B, ...spec });
    rootA = makeTempDir('ip-move-root-a');
    rootB = makeTempDir('ip-move-root-b');
    for (const [router, root] of [
      [ra, rootA],
      [rb, rootB],
    ] as const) {
      const installed = await router.cli(['install', '--root', root]);
      assert.equal(installed.code, 0, installed.stderr);
      writeHealthyCheck(router);
    }
  });
  after(() => world.close());

  test('doctor on a healthy pair: every check passes; the rules the key needs, where the VIP is, and which servers OVH offers', async () => {
    const start = world.ovh.requests().length;
    const onB = await doctor(rb, rootB);
    const notPassing = onB.report.checks.filter((c) => c.status !== 'pass').map((c) => `${c.id}: ${c.status} ${c.detail}`);
    assert.deepEqual(notPassing, [], onB.result.stdout);
    assert.equal(onB.result.code, 0);
    assert.match(checkOf(onB.report, 'ovh.grants').detail, /every rule a claim needs \(ip-move: GET \/ip\/\*, POST \/ip\/\*\/move\)/);
    assert.match(
      checkOf(onB.report, `ovh.read:ip-move:${SERVER_B}`).detail,
      /where OVH routes 203\.0\.113\.100, where it may move it and the move tasks pending/,
    );
    assert.equal(checkOf(onB.report, `placement.vip:${VIP}`).detail, `routed to server ${SERVER_A} (the peer's), and 2@vmx1 is BACKUP here`);
    assert.match(checkOf(onB.report, `ovh.destination:${VIP}`).detail, new RegExp(`this router's server ${SERVER_B} is a destination OVH offers`));

    const onA = await doctor(ra, rootA);
    assert.equal(onA.result.code, 0, onA.result.stdout);
    assert.equal(checkOf(onA.report, `placement.vip:${VIP}`).detail, `routed to this router's server (${SERVER_A}), and 2@vmx1 is MASTER here`);
    assert.equal(
      checkOf(onA.report, `ovh.destination:${VIP}`).detail,
      `the peer's server must be one OVH offers to take ${VIP} over (GET /ip/{ip}/move): ${SERVER_B}`,
    );

    // What doctor read: the IP, where it may go, its pending moves; nothing it changed.
    const reads = world.ovh
      .requests()
      .slice(start)
      .map((r) => r.path);
    for (const path of [IP_PATH, `${IP_PATH}/move`, `${IP_PATH}/task?function=genericMoveFloatingIp&status=todo`])
      assert.ok(reads.includes(path), `doctor read ${path}: ${reads.join(' ')}`);
    assert.deepEqual(mutations(start), []);

    // Human output: the same findings, in 80 columns.
    const human = await rb.cli(['doctor', '--root', rootB]);
    assert.equal(human.code, 0, human.stdout);
    assert.match(
      human.stdout.replace(/\n {6}/g, ' '),
      /PASS {2}OVH access rules: the key has every rule a claim needs \(ip-move: GET \/ip\/\*, POST \/ip\/\*\/move\)/,
    );
  });

  test('a key that may not move IPs, or a server OVH does not offer: doctor fails exactly there', async () => {
    world.ovh.setConsumer(OVH_CONSUMER_KEY, { rules: [{ method: 'GET', path: '/*' }], status: 'validated', expiration: null });
    try {
      const { result, report } = await doctor(rb, rootB);
      assert.equal(result.code, 1);
      assert.deepEqual(
        report.checks.filter((c) => c.status === 'fail').map((c) => c.id),
        ['ovh.grants'],
      );
      assert.match(checkOf(report, 'ovh.grants').detail, /lacks POST \/ip\/\*\/move/);
    } finally {
      world.ovh.setConsumer(OVH_CONSUMER_KEY, grantAll());
    }
    const state = bareMetalState(SERVER_A);
    world.ovh.setState({ ...state, ips: { [VIP]: { routedTo: SERVER_A, destinations: ['ns-c.ip-203-0-113.eu'] } } });
    try {
      const { report } = await doctor(rb, rootB);
      assert.deepEqual(
        report.checks.filter((c) => c.status === 'fail').map((c) => c.id),
        [`ovh.destination:${VIP}`],
      );
      assert.match(checkOf(report, `ovh.destination:${VIP}`).detail, new RegExp(`does not offer this router's server ${SERVER_B}`));
    } finally {
      world.ovh.setState(bareMetalState(SERVER_A));
    }
  });

  test('failover: a dry run prints the move and sends nothing; hook --wait moves the IP with POST /ip/{ip}%2F32/move; status shows the server', async () => {
    world.ovh.setState(bareMetalState(SERVER_A));
    ra.setState('BACKUP');
    rb.setState('MASTER');

    let start = world.ovh.requests().length;
    const plan = await rb.cli(['hook', '2@vmx1', 'MASTER', '--dry-run']);
    assert.equal(plan.code, 0, plan.stdout + plan.stderr);
    assert.match(
      plan.stdout,
      new RegExp(`^  1\\. ${VIP.replaceAll('.', '\\.')}: ${SERVER_A} -> ${SERVER_B}: POST /ip/${VIP}%2F32/move \\{"to":"${SERVER_B}"\\}$`, 'm'),
    );
    assert.match(plan.stdout, /plan complete: 1 change would be sent/);
    assert.ok(
      world.ovh
        .requests()
        .slice(start)
        .some((r) => r.path === `${IP_PATH}/move` && r.method === 'GET'),
      'the dry run ran the preflight for real',
    );
    assert.deepEqual(mutations(start), [], 'a dry run sends no mutating call');
    assert.equal(routedTo(), SERVER_A);

    start = world.ovh.requests().length;
    const claimed = await rb.hook('MASTER', { wait: true });
    assert.equal(claimed.code, 0, claimed.stdout + claimed.stderr);
    assert.match(claimed.stdout, new RegExp(`${VIP.replaceAll('.', '\\.')}: moved \\(was on ${SERVER_A}\\)`));
    assert.equal(routedTo(), SERVER_B);
    // One move, on the exact URL the simulator checked the signature over, with the body sent.
    const sent = mutations(start);
    assert.deepEqual(
      sent.map((r) => ({ method: r.method, path: r.path, status: r.status, body: r.body })),
      [{ method: 'POST', path: `${IP_PATH}/move`, status: 200, body: { to: SERVER_B } }],
    );
    const calls = world.ovh
      .requests()
      .slice(start)
      .map((r) => `${r.method} ${r.path.split('?')[0]}`);
    // Located, checked for pending moves, moved, then the task and the route polled until done.
    assert.ok(calls.indexOf(`GET ${IP_PATH}`) < calls.indexOf(`POST ${IP_PATH}/move`));
    assert.ok(calls.indexOf(`GET ${IP_PATH}/task`) < calls.indexOf(`POST ${IP_PATH}/move`));
    assert.ok(calls.lastIndexOf(`GET ${IP_PATH}/task/${world.ovh.tasks().at(-1)?.taskId}`) > calls.indexOf(`POST ${IP_PATH}/move`));
    assert.ok(calls.lastIndexOf(`GET ${IP_PATH}`) > calls.indexOf(`POST ${IP_PATH}/move`));
    assert.equal(rb.demotion(), 0);

    const onB = await status(rb);
    assert.deepEqual(onB.vhids[0]?.addresses, [{ address: VIP, holder: SERVER_B, here: true, where: `server ${SERVER_B}` }]);
    const onA = await status(ra);
    assert.deepEqual(onA.vhids[0]?.addresses, [{ address: VIP, holder: SERVER_B, here: false, where: `server ${SERVER_B}` }]);
    const human = await ra.cli(['status']);
    assert.match(human.stdout, new RegExp(`^  ${VIP.replaceAll('.', '\\.')}  on server ${SERVER_B} \\(not this router\\)$`, 'm'));
    const humanB = await rb.cli(['status']);
    assert.match(humanB.stdout, new RegExp(`^  ${VIP.replaceAll('.', '\\.')}  on this router \\(server ${SERVER_B}\\)$`, 'm'));
    assert.match(humanB.stdout, /^last claim: hook 2@vmx1 MASTER .*: ok in /m);

    // The health check as MASTER sees the IP here (on this router's server): healthy, and no repair claim.
    start = world.ovh.requests().length;
    const check = await rb.cli(['check', '--json']);
    assert.equal(check.code, 0, check.stdout + check.stderr);
    const claimProbe = (JSON.parse(check.stdout) as { probes: Array<{ name: string; ok: boolean; detail: string }> }).probes.find((p) => p.name === 'claim');
    assert.equal(claimProbe?.ok, true, JSON.stringify(claimProbe));
    assert.doesNotMatch(claimProbe?.detail ?? '', /OVH routes/);
    assert.deepEqual(mutations(start), []);

    // Already here: reconcile changes nothing.
    start = world.ovh.requests().length;
    const again = await rb.cli(['reconcile', '--wait']);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, new RegExp(`${VIP.replaceAll('.', '\\.')}: already-here`));
    assert.deepEqual(mutations(start), []);
  });

  test('failback with reconcile (detached worker), and a move pending at OVH is waited out first: no 409', async () => {
    ra.setState('MASTER');
    rb.setState('BACKUP');
    // A move of the IP to a third server, queued by someone else, still running at OVH.
    world.ovh.setState({ ...bareMetalState(SERVER_B), dedicated: { ...bareMetalState().dedicated, 'ns-c.ip-203-0-113.eu': { virtualMacs: {} } } });
    world.ovh.setDelays({ move: 1500 });
    const stranger = await startMoveElsewhere(world, 'ns-c.ip-203-0-113.eu');
    world.ovh.setDelays({ move: 150 });
    const start = world.ovh.requests().length;
    const result = await ra.cli(['reconcile']);
    assert.equal(result.code, 0, result.stderr);
    await ra.workersDone();
    assert.equal((ra.lastClaim() as { result?: string } | null)?.result, 'ok', JSON.stringify(ra.lastClaim()));
    assert.equal(routedTo(), SERVER_A);
    const moves = mutations(start);
    assert.deepEqual(
      moves.map((r) => `${r.method} ${r.path} ${r.status}`),
      [`POST ${IP_PATH}/move 200`],
    );
    const ours = moves[0];
    assert.ok(ours !== undefined && ours.time >= stranger.doneAt, 'our move was sent only once the pending one had ended');
    assert.equal(world.ovh.conflicts, 0);
  });
});

/** Starts a move of the VIP to `server` with the test's own OVH client, as another tool would; resolves with when OVH will finish it. */
async function startMoveElsewhere(world: World, server: string): Promise<{ doneAt: number }> {
  const client = createOvhClient({
    url: world.ovh.url,
    ca: CA_PATH,
    timeoutMs: 5000,
    credentials: { applicationKey: OVH_APPLICATION_KEY, applicationSecret: OVH_APPLICATION_SECRET, consumerKey: OVH_CONSUMER_KEY },
  });
  try {
    await client.request('POST', `/ip/${VIP}%2F32/move`, { to: server }, { signal: AbortSignal.timeout(5000) });
  } finally {
    client.close();
  }
  const task = world.ovh.tasks().at(-1);
  assert.ok(task !== undefined && task.status !== 'done');
  return { doneAt: task.dueMs };
}
