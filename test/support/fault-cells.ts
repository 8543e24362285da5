/**
 * Runs one fault-injection cell: a fresh router-002 (MASTER here) and the seed
 * placement at OVH (the VIP on router-003), one fault injected, then the real
 * `hook 2@vmx1 MASTER --wait`. Returns what an operator would look at.
 */
import assert from 'node:assert/strict';
import { seedState } from './ovh-sim/state.ts';
import type { FaultSpec } from './ovh-sim/index.ts';
import type { FaultRule } from './vault-sim/index.ts';
import { holdersOf, stderrLines, type World } from './world.ts';
import { SEED_MAC_ROUTER_002, SEED_MAC_ROUTER_003 } from './world.ts';

/** Short budgets so a fault that lasts forever ends the claim in about a second. */
export const FAULT_TUNING = `  timeout: 300ms
  poll_interval: 20ms
  deadline: 2500ms
  max_rpm: 6000
  retries: 2`;

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
}

let cellCounter = 0;

export async function runCell(world: World, fault: { ovh?: FaultSpec[]; vault?: FaultRule[] }): Promise<CellResult> {
  world.ovh.clearFaults();
  world.vault.clearFaults();
  world.ovh.setState(seedState());
  await world.ovh.waitForTasks();
  const router = world.router({
    name: `router-002-cell${++cellCounter}`,
    mac: SEED_MAC_ROUTER_002,
    ownAddress: '178.32.70.110',
    state: 'MASTER',
    ovhExtra: FAULT_TUNING,
  });
  for (const spec of fault.ovh ?? []) world.ovh.addFault(spec);
  for (const rule of fault.vault ?? []) world.vault.injectFault(rule);
  const result = await router.cli(['hook', '2@vmx1', 'MASTER', '--wait'], { timeoutMs: 20_000 });
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
    logText: stderrLines(result.stderr).map((line) => JSON.stringify(line)).join('\n'),
    stdout: result.stdout,
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
