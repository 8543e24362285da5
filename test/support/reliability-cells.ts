/**
 * Runs one row of the fault matrix (test/support/reliability-matrix.ts) as a
 * node:test suite: one world per row, one test per cell.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { OvhSimulatorOptions } from './ovh-sim/index.ts';
import { assertCell, FAULT_TUNING, runCell, untilDeadline } from './fault-cells.ts';
import { cellName, cellsOf, specsOf, type MatrixCall } from './reliability-matrix.ts';
import { startWorld, type World } from './world.ts';

/**
 * `ovhExtra` replaces the router's ovh tuning (FAULT_TUNING: 300 ms per request,
 * a 12 s deadline) for a whole row. `onFirstFaultHit` runs when a cell's fault
 * first strikes (a row whose tasks are held until then releases them there).
 */
export function matrixRow(
  call: MatrixCall,
  ovh: OvhSimulatorOptions = { delays: { delete: 60, add: 60 } },
  ovhExtra?: string,
  onFirstFaultHit?: (world: World) => void,
): void {
  describe(`fault matrix: ${call}`, () => {
    let world: World;
    before(async () => {
      world = await startWorld({ label: `matrix-${call.replace(/[^a-z]+/gi, '-')}`, ovh });
    });
    after(() => world.close());

    for (const cell of cellsOf(call)) {
      test(cellName(cell), async () => {
        const base = ovhExtra ?? FAULT_TUNING;
        const tuning = cell.deadlineMs === undefined ? base : untilDeadline(cell.deadlineMs, base);
        const release = onFirstFaultHit === undefined ? {} : { onFirstFaultHit: () => onFirstFaultHit(world) };
        const result = await runCell(world, { ovh: specsOf(cell) }, { router: { ovhExtra: tuning }, ...release });
        assert.ok(result.faultHits > 0, `the injected fault was never hit: this cell proves nothing\n${result.logText}`);
        assertCell(result, cell.expect);
        assert.equal(world.ovh.conflicts, 0, 'no 409: the claim never sent a second mutation on a pending task');
      });
    }
  });
}
