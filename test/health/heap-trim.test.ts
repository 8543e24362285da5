/**
 * The loop's memory between runs (src/cli/runtime/heap-trim.ts): when it
 * collects, and that the collection it makes really gives memory back on this
 * node. The loop itself over 1000 runs is measured in `npm run bench`.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HeapTrim } from '../../src/cli/runtime/heap-trim.ts';

describe('HeapTrim', () => {
  test('collects after the first run, then only when RSS has grown by 3 % and minRuns runs have passed', () => {
    let rss = 100;
    const collections: number[] = [];
    let run = 0;
    const trim = new HeapTrim(
      () => {
        collections.push(run);
        rss = 100;
      },
      { minRuns: 5, rss: () => rss },
    );
    const grows = [0, 1, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 20, 0, 0, 0, 0, 0];
    for (const step of grows) {
      run += 1;
      rss += step;
      trim.afterRun();
    }
    // Run 1 sets the floor. By run 6 RSS is 103 (not above 3 %); run 7 is 104 after 6 runs: collected.
    // Run 13 jumps by 20, but only 6 runs have passed since: collected there too, and not again.
    assert.deepEqual(collections, [1, 7, 13]);
    assert.equal(collections.length, 3);
  });

  test('memory it cannot give back costs at most one collection every minRuns runs', () => {
    let rss = 100;
    let collected = 0;
    const trim = new HeapTrim(
      () => {
        collected += 1;
      },
      { minRuns: 10, rss: () => rss },
    );
    for (let i = 0; i < 100; i++) {
      rss += 50;
      trim.afterRun();
    }
    assert.equal(collected, 10);
  });

  test('on this node the collection exists and shrinks a heap full of garbage', () => {
    const trim = HeapTrim.create();
    assert.ok(trim !== null, 'HeapTrim.create() found no way to collect: the loop would grow without heap flags');
    assert.equal(typeof (globalThis as { gc?: unknown }).gc, 'undefined', 'gc stays off the global object');
    trim.afterRun();
    const before = process.memoryUsage().heapUsed;
    let garbage: Array<{ n: number; s: string }> | null = [];
    for (let i = 0; i < 400_000; i++) garbage.push({ n: i, s: `x${i}` });
    assert.ok(process.memoryUsage().heapUsed > before + 10 * 2 ** 20, 'the garbage took room');
    garbage = null;
    // A new trimmer collects at its first run, whatever the RSS.
    HeapTrim.create()?.afterRun();
    assert.ok(
      process.memoryUsage().heapUsed < before + 5 * 2 ** 20,
      `heap after the collection: ${process.memoryUsage().heapUsed} bytes, ${before} before the garbage`,
    );
  });
});
