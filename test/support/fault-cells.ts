/**
 * Runs one fault-injection cell: a fresh router-002 (MASTER here) and the seed
 * placement at OVH (the VIP on router-003), one fault injected, then the real
 * `hook 2@vmx1 MASTER --wait`. Returns what an operator would look at.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { seedState } from './ovh-sim/state.ts';
import type { FaultSpec } from './ovh-sim/index.ts';
import type { FaultRule } from './vault-sim/index.ts';
import { holdersOf, stderrLines, type RouterSpec, type World } from './world.ts';
import { SEED_MAC_ROUTER_002, SEED_MAC_ROUTER_003 } from './world.ts';

/**
 * Each OVH request's budget in the cells. Short, so that a fault that lasts
 * forever ends the claim in a few seconds; not shorter, because a request the
 * simulator answers at once must still fit on a loaded machine. At 300 ms a
 * cell whose one stalled read should have been retried failed under
 * `npm run test:stress`: both retries took longer than that too.
 */
export const FAULT_REQUEST_TIMEOUT_MS = 1_000;

/**
 * Short budgets so a fault that lasts forever ends the claim in a few seconds.
 * The deadline is generous: only cells that can end nowhere else reach it (they
 * set their own, shorter one), and a loaded machine must not push a cell that
 * ends on its own into it.
 */
export const FAULT_TUNING = `  timeout: ${FAULT_REQUEST_TIMEOUT_MS}ms
  poll_interval: 20ms
  deadline: 12s
  max_rpm: 6000
  retries: 2`;

/**
 * `base` for a cell that can only end at its deadline: it retries until then, and
 * polling every 500 ms instead of 20 ms proves the same for far less CPU (the
 * POST row: 27 → 22 CPU-s at 200 ms → 500 ms). A wait reads its task every 10th
 * poll, so a task is still read (at 5 s) before the cells' 8 s deadline.
 */
export function untilDeadline(deadlineMs: number, base: string = FAULT_TUNING): string {
  return base.replace(/deadline: \S+/, `deadline: ${deadlineMs}ms`).replace(/poll_interval: \S+/, 'poll_interval: 500ms');
}

export type Where = 'ours' | 'peer' | 'nowhere';

export interface CellExpectation {
  code: 0 | 1 | 2;
  where: Where;
  demoted: boolean;
  /** A log line that must appear (message or any field). */
  log?: RegExp;
}

export interface CellResult {
  code: number | null;
  where: Where;
  demotion: number;
  logText: string;
  stdout: string;
  /**
   * How often the injected faults shaped an answer (OVH requests answered by a
   * fault, tasks ended by one, Vault rules matched): 0 means the cell never
   * reached the call it was meant to break, and proves nothing.
   */
  faultHits: number;
}

let cellCounter = 0;

export interface CellOptions {
  /** Overrides of the router-002 spec (e.g. a vaultUrl where nothing listens). */
  router?: Partial<RouterSpec>;
  /** Extra environment for the CLI. */
  env?: NodeJS.ProcessEnv;
  /** Changes the router's config file before the hook runs. */
  editConfig?: (yaml: string) => string;
  /** Runs once, the first time an injected OVH fault is hit (e.g. to let a held task finish). */
  onFirstFaultHit?: () => void;
}

export async function runCell(world: World, fault: { ovh?: FaultSpec[]; vault?: FaultRule[] }, options: CellOptions = {}): Promise<CellResult> {
  world.ovh.clearFaults();
  world.vault.clearFaults();
  world.ovh.setState(seedState());
  await world.ovh.waitForTasks();
  world.ovh.clearLog();
  const cellStart = Date.now();
  const router = world.router({
    name: `router-002-cell${++cellCounter}`,
    mac: SEED_MAC_ROUTER_002,
    ownAddress: '178.32.70.110',
    state: 'MASTER',
    ovhExtra: FAULT_TUNING,
    ...options.router,
  });
  if (options.editConfig !== undefined) writeFileSync(router.configPath, options.editConfig(readFileSync(router.configPath, 'utf8')));
  for (const spec of fault.ovh ?? []) world.ovh.addFault(spec);
  const vaultHandles = (fault.vault ?? []).map((rule) => world.vault.injectFault(rule));
  const firstHit = once(options.onFirstFaultHit);
  const unsubscribe = world.ovh.onFaultHit(firstHit);
  const result = await router
    .cli(['hook', '2@vmx1', 'MASTER', '--wait'], { timeoutMs: 20_000, ...(options.env === undefined ? {} : { env: options.env }) })
    .finally(() => {
      unsubscribe();
      // A cell whose fault was never hit still lets what it held finish, so the clean-up below cannot wait on it.
      firstHit();
    });
  const answeredByFault = world.ovh.requests().filter((r) => r.fault !== undefined).length;
  const tasksByFault = (fault.ovh ?? []).some((spec) => spec.action.type === 'task')
    ? world.ovh.tasks().filter((t) => t.startMs >= cellStart && t.status !== 'done').length
    : 0;
  const faultHits = answeredByFault + tasksByFault + vaultHandles.reduce((sum, handle) => sum + handle.hits, 0);
  world.ovh.clearFaults();
  world.vault.clearFaults();
  world.ovh.cancelStuckTasks();
  await world.ovh.waitForTasks();
  const holders = holdersOf(world);
  const where: Where = holders.length === 0 ? 'nowhere' : holders[0] === SEED_MAC_ROUTER_002 ? 'ours' : holders[0] === SEED_MAC_ROUTER_003 ? 'peer' : 'nowhere';
  return {
    code: result.code,
    where,
    demotion: router.demotion(),
    logText: stderrLines(result.stderr)
      .map((line) => JSON.stringify(line))
      .join('\n'),
    stdout: result.stdout,
    faultHits,
  };
}

function once(action: (() => void) | undefined): () => void {
  let done = action === undefined;
  return () => {
    if (done) return;
    done = true;
    action?.();
  };
}

export function assertCell(result: CellResult, expected: CellExpectation): void {
  const context = `\n--- stdout\n${result.stdout}\n--- log\n${result.logText}`;
  // The one outcome that must never happen: a success that left the VIP routed nowhere.
  assert.ok(!(result.code === 0 && result.where !== 'ours'), `exit 0 with the VIP ${result.where}${context}`);
  assert.equal(result.code, expected.code, `exit code${context}`);
  assert.equal(result.where, expected.where, `where the VIP ended${context}`);
  assert.equal(result.demotion, expected.demoted ? 1_048_576 : 0, `demotion${context}`);
  if (expected.log !== undefined) assert.match(result.logText, expected.log, `log line${context}`);
}
