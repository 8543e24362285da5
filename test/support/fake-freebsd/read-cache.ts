import { mkdirSync, readdirSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { runIfconfig } from './ifconfig-cmd.ts';
import type { CommandOutcome } from './outcome.ts';
import { runSysctl } from './sysctl-cmd.ts';
import type { FakeKernelState, FakeTool } from './types.ts';

/**
 * The answers to the two reads the product repeats (`ifconfig IFACE` before
 * every change it asks OVH for, and `sysctl -n NAME`), rendered by the same
 * runIfconfig/runSysctl a node run would call, every time the state is written.
 * The shell wrapper prints such an answer without starting node: a retrying
 * claim reads the CARP state dozens of times, and a node start costs ~100 ms of
 * CPU where FreeBSD's ifconfig costs about a millisecond. What is not here (a
 * write, an error, an unknown name, any call while a fault is set for the tool)
 * goes to node, so the answers stay those of one implementation.
 */

export const READS_DIR = 'reads';

/** Only names a shell `case` can match without quoting trouble become file names. */
export const SAFE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

export function readsDirFor(statePath: string): string {
  return join(dirname(statePath), READS_DIR);
}

function cacheable(outcome: CommandOutcome): boolean {
  return outcome.exitCode === 0 && outcome.stderr === '' && !outcome.changed && outcome.kernelLog.length === 0 && outcome.writes.length === 0;
}

function answers(state: FakeKernelState): Map<string, string> {
  const files = new Map<string, string>();
  const render = (tool: FakeTool, file: string, argv: string[], run: (state: FakeKernelState, argv: string[]) => CommandOutcome): void => {
    if (state.faults[tool] !== undefined) return;
    // A copy: a read must not change the state, and if it did it is no read to cache.
    const outcome = run(structuredClone(state), argv);
    if (cacheable(outcome)) files.set(file, outcome.stdout);
  };
  for (const name of Object.keys(state.interfaces)) {
    if (SAFE_NAME.test(name)) render('ifconfig', `ifconfig.${name}`, [name], runIfconfig);
  }
  for (const name of Object.keys(state.sysctls)) {
    if (SAFE_NAME.test(name)) render('sysctl', `sysctl-n.${name}`, ['-n', name], runSysctl);
  }
  return files;
}

/**
 * Called with the state lock held, after the state file is replaced: stale
 * answers go first, then each file is replaced atomically, so a reader sees an
 * answer from before or after this write and never half of one.
 */
export function writeReadCache(statePath: string, state: FakeKernelState): void {
  const dir = readsDirFor(statePath);
  mkdirSync(dir, { recursive: true });
  const files = answers(state);
  for (const existing of readdirSync(dir)) {
    if (!files.has(existing)) unlinkSync(join(dir, existing));
  }
  for (const [file, text] of files) {
    const temp = join(dir, `.${file}.${process.pid}.tmp`);
    writeFileSync(temp, text);
    renameSync(temp, join(dir, file));
  }
}
