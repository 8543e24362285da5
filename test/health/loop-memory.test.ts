/**
 * When `check --every` counts an interval as passed (src/core/health/loop-memory.ts):
 * at the run nearest to its end, so a run that reads the clock a few ms early
 * does not push a due read a whole period later.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LoopMemory } from '../../src/core/health/loop-memory.ts';
import type { Observed } from '../../src/core/health/observe.ts';

const okVerdict = { name: 'ovh-api' as const, ok: true, detail: 'clock offset +0s', durationMs: 5 };

describe('LoopMemory', () => {
  test('a 60 s interval under --every 10s is due at the run 59.998 s later, not at the run 50 s later', () => {
    const memory = new LoopMemory(10_000);
    memory.ovhVerdict = { verdict: okVerdict, at: 0 };
    assert.equal(memory.ovhDue(50_002, 60_000), false);
    assert.equal(memory.ovhDue(59_998, 60_000), true);
    // Without a period (a loop of unknown cadence) the interval is exact.
    const exact = new LoopMemory();
    exact.ovhVerdict = { verdict: okVerdict, at: 0 };
    assert.equal(exact.ovhDue(59_998, 60_000), false);
    assert.equal(exact.ovhDue(60_000, 60_000), true);
  });

  test('a CARP read is reused while no event was recorded and the interval has not passed; 0 never reuses', () => {
    const memory = new LoopMemory(10_000);
    const observed: Observed[] = [];
    memory.carp = { observed, at: 1_000, events: '2@vmx1=7' };
    assert.equal(memory.carpReusable(51_000, 60_000, '2@vmx1=7')?.observed, observed);
    assert.equal(memory.carpReusable(51_000, 60_000, '2@vmx1=8'), null, 'a new event');
    assert.equal(memory.carpReusable(60_998, 60_000, '2@vmx1=7'), null, 'the interval, at the nearest run');
    assert.equal(memory.carpReusable(1_001, 0, '2@vmx1=7'), null, 'platform_interval 0s');
    assert.ok(memory.passed(1_001, 1_000, 0), 'nor the demotion');
  });
});
