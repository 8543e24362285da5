/**
 * Entry point of the fake `ifconfig` and `sysctl` executables:
 *   node main.ts <ifconfig|sysctl> <state file> [args…]
 * The shell wrappers written by createFakeKernel bake in the first two, so the
 * fakes need nothing from the caller's environment, PATH or working directory.
 */
import { runIfconfig } from './ifconfig-cmd.ts';
import type { CommandOutcome } from './outcome.ts';
import { appendCall, appendKernelLog, readState, sleepSync, withStateLock, writeState } from './store.ts';
import { runSysctl } from './sysctl-cmd.ts';
import type { FakeFault, FakeKernelState, FakeTool } from './types.ts';

/** A hung fake gives up after this, so a leaked process cannot outlive the test run for long. */
const HANG_LIMIT_MS = 60_000;

type Plan = { kind: 'done'; outcome: CommandOutcome } | { kind: 'delay'; ms: number } | { kind: 'hang' };

function takeFault(state: FakeKernelState, tool: FakeTool): FakeFault | undefined {
  const fault = state.faults[tool];
  if (fault === undefined) return undefined;
  if (fault.remaining !== undefined) {
    const remaining = fault.remaining - 1;
    if (remaining <= 0) delete state.faults[tool];
    else fault.remaining = remaining;
  }
  return fault;
}

function runTool(tool: FakeTool, state: FakeKernelState, args: readonly string[]): CommandOutcome {
  return tool === 'ifconfig' ? runIfconfig(state, args) : runSysctl(state, args);
}

function execute(tool: FakeTool, statePath: string, args: string[], withFaults: boolean): Plan {
  return withStateLock(statePath, (): Plan => {
    const state = readState(statePath);
    const time = Date.now();
    const fault = withFaults ? takeFault(state, tool) : undefined;
    if (fault !== undefined) {
      if (fault.remaining !== undefined) writeState(statePath, state); // a limited fault counts down
      if (fault.mode === 'delay') return { kind: 'delay', ms: fault.ms };
      const exitCode = fault.mode === 'hang' ? null : (fault.exitCode ?? (fault.mode === 'fail' ? 1 : 0));
      appendCall(statePath, { tool, argv: args, time, pid: process.pid, exitCode, fault: fault.mode });
      if (fault.mode === 'hang') return { kind: 'hang' };
      const stdout = fault.mode === 'output' ? fault.stdout : '';
      const stderr = fault.stderr ?? (fault.mode === 'fail' ? `${tool}: simulated failure\n` : '');
      return { kind: 'done', outcome: { stdout, stderr, exitCode: exitCode ?? 1, changed: false, kernelLog: [], writes: [] } };
    }
    const outcome = runTool(tool, state, args);
    if (outcome.changed) writeState(statePath, state);
    appendKernelLog(statePath, outcome.kernelLog);
    appendCall(statePath, {
      tool,
      argv: args,
      time,
      pid: process.pid,
      exitCode: outcome.exitCode,
      ...(outcome.writes.length > 0 ? { writes: outcome.writes } : {}),
    });
    return { kind: 'done', outcome };
  });
}

function main(): void {
  const [tool, statePath, ...args] = process.argv.slice(2);
  if ((tool !== 'ifconfig' && tool !== 'sysctl') || statePath === undefined) {
    process.stderr.write('fake-freebsd: usage: main.ts <ifconfig|sysctl> <state file> [args…]\n');
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
  // Pipes and files are written synchronously on POSIX, so exiting right after is safe.
  process.stdout.write(plan.outcome.stdout);
  process.stderr.write(plan.outcome.stderr);
  process.exitCode = plan.outcome.exitCode;
}

main();
