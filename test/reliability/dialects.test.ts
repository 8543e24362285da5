/**
 * The seed's failover (router-002 becomes MASTER while OVH routes the VIP to
 * router-003's vMAC) under every OVH dialect and every pair of dialects: each
 * undocumented behaviour the claim could have bet on, and its opposite. The
 * claim either ends with the VIP on the MASTER, or fails, demotes, and leaves
 * the VIP routed somewhere (never detached) once the deadline has passed.
 * In-process (test/support/claim-in-process.ts), cells side by side.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { claimInProcess, type InProcessClaim } from '../support/claim-in-process.ts';
import { SEED_MAC_ROUTER_002, SEED_SERVER, SEED_VIP, startOvhSimulator, type SimDialects, type SimRequestRecord } from '../support/ovh-sim/index.ts';

/** Each switch set away from the simulator's original guess (docs/reliability.md, "What the claim assumes about OVH"). */
const DIALECTS: Record<string, Partial<SimDialects>> = {
  'list before task done (409 meanwhile)': { listChange: 'list-first', listLagMs: 3000 },
  'task done before list': { listChange: 'task-first', listLagMs: 500 },
  'DELETE of an absent IP: 400': { deleteAbsent: 400 },
  'POST of an IP on another vMAC: 409': { postElsewhere: 409 },
  'task GET 404 for its first 3 reads': { taskNotFoundReads: 3 },
  'HTML 408 once per call, not carried out': { html408: 'before' },
  'HTML 408 once per call, carried out': { html408: 'after' },
  '30 vMACs on the server': { virtualMacs: 30 },
};

/** Two values of one switch cannot hold together. */
function compatible(a: Partial<SimDialects>, b: Partial<SimDialects>): boolean {
  return Object.keys(a).every((key) => key === 'listLagMs' || !(key in b));
}

const names = Object.keys(DIALECTS);
const cells: Array<{ name: string; dialects: Partial<SimDialects> }> = [{ name: 'original guesses', dialects: {} }];
for (const name of names) cells.push({ name, dialects: DIALECTS[name] ?? {} });
for (let i = 0; i < names.length; i++) {
  for (let j = i + 1; j < names.length; j++) {
    const a = DIALECTS[names[i] ?? ''] ?? {};
    const b = DIALECTS[names[j] ?? ''] ?? {};
    if (compatible(a, b)) cells.push({ name: `${names[i]} + ${names[j]}`, dialects: { ...a, ...b } });
  }
}

// Generous: cells end in a second or two; only a claim that waits on something that never comes meets it.
const DEADLINE_MS = 30_000;
const CONCURRENCY = 4;

interface CellRun {
  name: string;
  dialects: Partial<SimDialects>;
  claim: InProcessClaim;
  holders: string[];
  requests: SimRequestRecord[];
}

async function runCell(cell: { name: string; dialects: Partial<SimDialects> }): Promise<CellRun> {
  // Tasks long enough for the wait to read them (every 10th poll), so the task-read dialects matter.
  const sim = await startOvhSimulator({ dialects: cell.dialects, delays: { delete: 300, add: 300 } });
  try {
    const claim = await claimInProcess(sim, {
      mac: SEED_MAC_ROUTER_002,
      name: 'router-002',
      ovhTuning: `  timeout: 10s\n  poll_interval: 20ms\n  deadline: ${DEADLINE_MS}ms\n  max_rpm: 6000\n  retries: 2`,
    });
    // What OVH shows once every task the claim left has ended: where the VIP stays.
    await sim.waitForTasks();
    const holders = sim.locate(SEED_VIP).flatMap((p) => (p.via === 'virtual-mac' ? [p.mac] : []));
    return { ...cell, claim, holders, requests: sim.requests() };
  } finally {
    await sim.close();
  }
}

function describeRun(run: CellRun): string {
  const log = run.claim.logs.map((line) => `${String(line.level)} ${String(line.msg)}`).join('\n');
  const calls = run.requests.map((r) => `${r.method} ${r.path} ${r.status}`).join('\n');
  return `\n[${run.name}] result ${run.claim.outcome.result}, VIP on ${run.holders.join(', ') || 'nothing'}, demotion ${run.claim.demotion}\n${log}\n--- requests\n${calls}`;
}

/** What every cell must show: the VIP on the MASTER, or a failed claim, demoted, with the VIP still routed. */
function assertCell(run: CellRun): void {
  const { result } = run.claim.outcome;
  const mutations = run.requests.filter((r) => r.method === 'POST' || r.method === 'DELETE');
  assert.ok(
    mutations.every((r) => r.path.includes('/virtualAddress')),
    `never a vMAC creation${describeRun(run)}`,
  );
  if (result === 'ok') {
    assert.deepEqual(run.holders, [SEED_MAC_ROUTER_002], `ok means the VIP is on the MASTER${describeRun(run)}`);
    assert.equal(run.claim.demotion, 0, `not demoted${describeRun(run)}`);
  } else {
    assert.equal(result, 'failed', describeRun(run));
    assert.equal(run.claim.demotion, 1_048_576, `a failed claim demotes${describeRun(run)}`);
    assert.equal(run.holders.length, 1, `the VIP is routed somewhere once the claim has ended${describeRun(run)}`);
  }
  // None of these dialects stops a move that can finish: every cell claims.
  assert.equal(result, 'ok', `claimed${describeRun(run)}`);
}

const runs: CellRun[] = [];

// One test per cell (each within the runner's per-test timeout), four side by side.
describe(`the seed failover under every OVH dialect and every pair (${cells.length} cells): the VIP ends on the MASTER, or the claim fails, demotes and leaves it routed`, {
  concurrency: CONCURRENCY,
}, () => {
  for (const cell of cells) {
    test(cell.name, async () => {
      const run = await runCell(cell);
      runs.push(run);
      assertCell(run);
    });
  }

  // Each dialect really shaped some answer, so no cell passes by never meeting it.
  after(() => {
    assert.equal(runs.length, cells.length, 'every cell ran');
    const seen = (name: string, what: (r: SimRequestRecord) => boolean): boolean =>
      runs.filter((run) => run.name.includes(name)).some((run) => run.requests.some(what));
    assert.ok(
      seen('list before task done', (r) => r.method === 'POST' && r.status === 409),
      'list-first met a 409 on the POST',
    );
    assert.ok(
      seen('task GET 404', (r) => /\/task\/\d+$/.test(r.path) && r.status === 404),
      'fresh tasks answered 404',
    );
    assert.ok(
      seen('HTML 408 once per call, not carried out', (r) => r.method === 'DELETE' && r.status === 408),
      'a DELETE met a 408',
    );
    assert.ok(
      seen('HTML 408 once per call, carried out', (r) => r.method === 'POST' && r.status === 408),
      'a POST met a 408 after it was carried out',
    );
    assert.ok(
      seen('30 vMACs', (r) => r.path.endsWith(`/dedicated/server/${SEED_SERVER}/virtualMac`)),
      '30 vMACs were listed',
    );
    const thirty = runs.find((run) => run.name === '30 vMACs on the server');
    assert.ok(
      thirty !== undefined && thirty.requests.filter((r) => r.path.endsWith('/virtualAddress') && r.method === 'GET').length >= 30,
      'every vMAC list was read',
    );
    // With the old guesses a 409 was taken for our own pending task and waited on until the deadline.
    const listFirst = runs.filter((run) => run.name.includes('list before task done'));
    assert.ok(
      listFirst.some((run) => run.claim.logs.some((line) => /OVH has vMAC task \d+ pending/.test(String(line.msg)))),
      `a 409 was read back and the pending task waited out${listFirst.map(describeRun).join('')}`,
    );
  });
});
