/**
 * Runs one row of the fault matrix (test/support/reliability-matrix.ts) as a
 * node:test suite: one test per cell, each in a world of its own.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { OvhSimulatorOptions } from './ovh-sim/index.ts';
import { assertCell, FAULT_TUNING, runCell, untilDeadline } from './fault-cells.ts';
import { cellName, cellsOf, specsOf, type MatrixCall } from './reliability-matrix.ts';
import { startWorld, type World } from './world.ts';

/**
 * Cells of a row that run side by side. A cell that can only end at its
 * deadline spends its seconds waiting, not computing: run one after another,
 * the POST row alone waited ~85 s while the machine idled. Side by side they
 * need a world each, since a cell's faults and task clock are the simulator's.
 */
const CELLS_AT_ONCE = 3;

/**
 * `ovhExtra` replaces the router's ovh tuning (FAULT_TUNING: 1 s per request,
 * a 12 s deadline) for a whole row. `onFirstFaultHit` runs when a cell's fault
 * first strikes (a row whose tasks are held until then releases them there).
 */
export function matrixRow(
  call: MatrixCall,
  ovh: OvhSimulatorOptions = { delays: { delete: 60, add: 60 } },
  ovhExtra?: string,
  onFirstFaultHit?: (world: World) => void,
): void {
  describe(`fault matrix: ${call}`, { concurrency: CELLS_AT_ONCE }, () => {
    cellsOf(call).forEach((cell, index) => {
      test(cellName(cell), async () => {
        const world = await startWorld({ label: `matrix-${call.replace(/[^a-z]+/gi, '-')}-${index}`, ovh });
        try {
          const base = ovhExtra ?? FAULT_TUNING;
          const tuning = cell.deadlineMs === undefined ? base : untilDeadline(cell.deadlineMs, base);
          const release = onFirstFaultHit === undefined ? {} : { onFirstFaultHit: () => onFirstFaultHit(world) };
          const result = await runCell(world, { ovh: specsOf(cell) }, { router: { ovhExtra: tuning }, ...release });
          assert.ok(result.faultHits > 0, `the injected fault was never hit: this cell proves nothing\n${result.logText}`);
          assertCell(result, cell.expect);
          assert.equal(world.ovh.conflicts, 0, 'no 409: the claim never sent a second mutation on a pending task');
        } finally {
          await world.close();
        }
      });
    });
  });
}
