/**
 * The loop keeps V8 at its baseline compiler (src/cli/runtime/baseline-compiler.ts):
 * checked in a child node, where a hot function is asked whether V8 optimized it
 * (the test's own flag, --allow-natives-syntax, lets it ask). The loop's RSS over
 * 1000 runs is measured in `npm run bench`.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { stopAtBaselineCompiler } from '../../src/cli/runtime/baseline-compiler.ts';

const MODULE = new URL('../../src/cli/runtime/baseline-compiler.ts', import.meta.url).href;

/** V8's OptimizationStatus bit for "optimized" (Maglev or TurboFan), as %GetOptimizationStatus returns it. */
const OPTIMIZED = 16;

/** Runs a hot function in a child node; `setup` runs first. Returns its optimization status. */
async function statusAfterHotLoop(setup: string, nodeFlags: string[] = []): Promise<{ status: number; stopped: string }> {
  const script = `
    const { stopAtBaselineCompiler } = await import(${JSON.stringify(MODULE)});
    let stopped = 'not called';
    ${setup}
    function hot(n) { let s = 0; for (let i = 0; i < n; i++) s += i * n; return s; }
    // V8 optimizes on a background thread: call until it has installed the code, or
    // for a bounded number of rounds (a loaded machine may need a few).
    for (let round = 0; round < 100 && (%GetOptimizationStatus(hot) & ${OPTIMIZED}) === 0; round++) {
      for (let i = 0; i < 100000; i++) hot(10);
      await new Promise((resolve) => setImmediate(resolve));
    }
    console.log(JSON.stringify({ status: %GetOptimizationStatus(hot), stopped: String(stopped) }));
  `;
  const { stdout } = await promisify(execFile)(process.execPath, [...nodeFlags, '--allow-natives-syntax', '--input-type=module', '-e', script]);
  return JSON.parse(stdout) as { status: number; stopped: string };
}

describe('stopAtBaselineCompiler', () => {
  test('a hot function stays unoptimized once it is called, and is optimized without it', async () => {
    const control = await statusAfterHotLoop('');
    assert.notEqual(control.status & OPTIMIZED, 0, `without the call V8 optimizes the hot function (status ${control.status})`);
    const stopped = await statusAfterHotLoop('stopped = stopAtBaselineCompiler();');
    assert.equal(stopped.stopped, 'true');
    assert.equal(stopped.status & OPTIMIZED, 0, `status ${stopped.status}`);
  });

  test('node flags that choose the compilers are left as they are', async () => {
    const chosen = await statusAfterHotLoop('stopped = stopAtBaselineCompiler();', ['--max-opt=999']);
    assert.equal(chosen.stopped, 'false');
    assert.notEqual(chosen.status & OPTIMIZED, 0, `status ${chosen.status}`);
    for (const flags of [['--max-opt=2'], ['--max_opt=1'], ['--no-turbofan'], ['--maglev'], ['--jitless']]) {
      assert.equal(stopAtBaselineCompiler(flags), false, flags.join(' '));
    }
  });
});
