/**
 * Entry point of the fake OpenBSD `ifconfig` and `sysctl` executables:
 *   node main.ts <ifconfig|sysctl> <state file> [args…]
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { replaceJsonFile, sleepSync, withStateLock } from '../fake-freebsd/store.ts';
import { writeShellReads } from '../fake-shell-reads.ts';
import { type ObsdOutcome, runIfconfig } from './ifconfig-cmd.ts';
import { SHELL_READS } from './read-cache.ts';
import { runSysctl } from './sysctl-cmd.ts';
import type { ObsdCall, ObsdFault, ObsdKernelState, ObsdTool } from './types.ts';

export const STATE_FILE = 'fake-openbsd.json';

export function readObsdState(statePath: string): ObsdKernelState {
  return JSON.parse(readFileSync(statePath, 'utf8')) as ObsdKernelState;
}

/** The state, then the shell's read answers that follow from it. */
export function writeObsdState(statePath: string, state: ObsdKernelState): void {
  replaceJsonFile(statePath, state);
  writeShellReads(statePath, state, SHELL_READS);
}

export const callLogOf = (statePath: string): string => join(dirname(statePath), 'calls.jsonl');
export const kernelLogOf = (statePath: string): string => join(dirname(statePath), 'kernel.log');

export function appendKernel(statePath: string, lines: readonly string[]): void {
  if (lines.length > 0) appendFileSync(kernelLogOf(statePath), lines.map((line) => `${line}\n`).join(''));
}

const HANG_LIMIT_MS = 60_000;

type Plan = { kind: 'done'; outcome: ObsdOutcome } | { kind: 'delay'; ms: number } | { kind: 'hang' };

function takeFault(state: ObsdKernelState, tool: ObsdTool): ObsdFault | undefined {
  const fault = state.faults[tool];
  if (fault === undefined) return undefined;
  if (fault.remaining !== undefined) {
    if (fault.remaining <= 1) delete state.faults[tool];
    else fault.remaining -= 1;
  }
  return fault;
}

function execute(tool: ObsdTool, statePath: string, args: string[], withFaults: boolean): Plan {
  return withStateLock(statePath, (): Plan => {
    const state = readObsdState(statePath);
    const call: ObsdCall = { tool, argv: args, time: Date.now(), pid: process.pid, exitCode: null };
    const fault = withFaults ? takeFault(state, tool) : undefined;
    if (fault !== undefined) {
      if (fault.remaining !== undefined) writeObsdState(statePath, state);
      if (fault.mode === 'delay') return { kind: 'delay', ms: fault.ms };
      const exitCode = fault.mode === 'hang' ? null : (fault.exitCode ?? (fault.mode === 'fail' ? 1 : 0));
      appendFileSync(callLogOf(statePath), `${JSON.stringify({ ...call, exitCode, fault: fault.mode })}\n`);
      if (fault.mode === 'hang') return { kind: 'hang' };
      const stdout = fault.mode === 'output' ? fault.stdout : '';
      const stderr = fault.stderr ?? (fault.mode === 'fail' ? `${tool}: simulated failure\n` : '');
      return { kind: 'done', outcome: { stdout, stderr, exitCode: exitCode ?? 1, changed: false, kernelLog: [] } };
    }
    const outcome = tool === 'ifconfig' ? runIfconfig(state, args) : runSysctl(state, args);
    if (outcome.changed) writeObsdState(statePath, state);
    appendKernel(statePath, outcome.kernelLog);
    appendFileSync(callLogOf(statePath), `${JSON.stringify({ ...call, exitCode: outcome.exitCode })}\n`);
    return { kind: 'done', outcome };
  });
}

function main(): void {
  const [tool, statePath, ...args] = process.argv.slice(2);
  if ((tool !== 'ifconfig' && tool !== 'sysctl') || statePath === undefined) {
    process.stderr.write('fake-openbsd: usage: main.ts <ifconfig|sysctl> <state file> [args…]\n');
    process.exitCode = 70;
    return;
  }
  let plan = execute(tool, statePath, args, true);
  if (plan.kind === 'delay') {
    sleepSync(plan.ms);
    plan = execute(tool, statePath, args, false);
  }
  if (plan.kind === 'hang') {
    setTimeout(() => process.exit(1), HANG_LIMIT_MS);
    return;
  }
  if (plan.kind !== 'done') return;
  process.stdout.write(plan.outcome.stdout);
  process.stderr.write(plan.outcome.stderr);
  process.exitCode = plan.outcome.exitCode;
}

if (process.argv[1] !== undefined && import.meta.filename === process.argv[1]) main();
