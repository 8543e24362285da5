/**
 * Fault matrix, the task reads. A wait reads the task every 10th poll only, so
 * the DELETE's task here is held (an hour) until the first faulted task read,
 * and only then finishes: every cell reaches its fault however slow the
 * machine. Also checks the table itself: every call × fault is a cell or says
 * why it cannot be.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { matrixRow } from '../support/reliability-cells.ts';
import { CALLS, FAULTS, MATRIX, NOT_APPLICABLE } from '../support/reliability-matrix.ts';

test('the matrix is complete: every call × fault is a cell or n/a with a reason, never both', () => {
  for (const call of CALLS) {
    for (const fault of FAULTS) {
      const cells = MATRIX.filter((c) => c.call === call && c.fault === fault);
      const na = NOT_APPLICABLE.filter((c) => c.call === call && c.fault === fault);
      assert.ok(cells.length + na.length > 0, `${call} × ${fault}: neither a cell nor n/a`);
      assert.ok(cells.length === 0 || na.length === 0, `${call} × ${fault}: both a cell and n/a`);
      for (const entry of na) assert.ok(entry.why.length > 10, `${call} × ${fault}: n/a without a reason`);
      if (cells.length > 0)
        assert.ok(
          cells.some((c) => c.persistence === 'always'),
          `${call} × ${fault}: no persistent cell`,
        );
    }
  }
});

const HELD_MS = 3_600_000;
// The first task read is where every cell's fault strikes; the DELETE's task then finishes at once.
matrixRow('task poll', { delays: { delete: HELD_MS, add: 100 } }, undefined, (world) => world.ovh.advanceTaskClock(HELD_MS));
