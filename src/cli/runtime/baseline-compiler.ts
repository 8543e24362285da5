import { setFlagsFromString } from 'node:v8';

/**
 * Keeps a long-lived loop at V8's baseline compiler (Sparkplug). The loop runs a
 * few milliseconds of JavaScript every few seconds, which Maglev and TurboFan
 * cannot speed up, while their machine code, their working memory and the pages
 * of node's binary that hold them stay resident: without them `check --every
 * 100ms` stayed near 63 MiB over 1000 runs, against 71 -> 77 MiB with them, at
 * the same CPU per run (docs/health.md, "Memory").
 *
 * `--max-opt=1` on node's command line does the same, but set from inside a
 * running process it changed nothing; `--no-maglev` and `--no-turbofan` set from
 * inside do take effect (test/health/baseline-compiler.test.ts checks it on the
 * node that runs the tests), so the loop needs no node flag for it.
 */

/** Flags by which whoever started node has already chosen the compilers: left as they are. */
const CHOSEN = /^--(?:no-)?(?:turbofan|maglev|opt|jitless)(?:=|$)|^--max-opt(?:=|$)/;

/** True when the optimizing compilers were turned off, false when node's own flags say otherwise. */
export function stopAtBaselineCompiler(execArgv: readonly string[] = process.execArgv): boolean {
  if (execArgv.some((flag) => CHOSEN.test(flag.replaceAll('_', '-')))) return false;
  setFlagsFromString('--no-maglev');
  setFlagsFromString('--no-turbofan');
  return true;
}
