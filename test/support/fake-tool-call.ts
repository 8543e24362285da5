import type { ToolOutcome } from './fake-shell-reads.ts';
import { withStateLock } from './fake-freebsd/store.ts';

/**
 * One call of a fake kernel's tool (fake-freebsd/, fake-openbsd/), wherever it
 * runs: a fault set for the tool first, else the tool's own command code, then
 * the state, the kernel log and the call log, all under the state lock.
 */

/**
 * A failure switch for one tool, set in a kernel's state. `remaining` limits it
 * to the next N calls (then it is removed); without it the fault stays until cleared.
 */
export type ToolFault =
  | { mode: 'fail'; exitCode?: number; stderr?: string; remaining?: number }
  /** Never answers (gives up after a minute so a leaked call cannot live forever). */
  | { mode: 'hang'; remaining?: number }
  /** Answers normally after `ms`. */
  | { mode: 'delay'; ms: number; remaining?: number }
  /** Prints `stdout` verbatim instead of the real answer (garbage, truncated output…). */
  | { mode: 'output'; stdout: string; stderr?: string; exitCode?: number; remaining?: number };

export interface ToolAnswer {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** What the caller does next: answer now, call again without faults after `ms`, or never answer. */
export type ToolPlan = ({ kind: 'done' } & ToolAnswer) | { kind: 'delay'; ms: number } | { kind: 'hang' };

/** One line of a kernel's call log. */
export interface ToolCallRecord<T extends string> {
  tool: T;
  argv: string[];
  time: number;
  pid: number;
  exitCode: number | null;
  fault?: ToolFault['mode'];
  writes?: readonly unknown[];
}

/** What a kernel tells this module: its files and its command code. */
export interface CallableKernel<S extends { faults: Partial<Record<T, ToolFault>> }, T extends string> {
  read(statePath: string): S;
  /** The state, then whatever follows from it (the shell's read answers). */
  write(statePath: string, state: S): void;
  run(state: S, tool: T, argv: string[]): ToolOutcome;
  appendKernelLog(statePath: string, lines: readonly string[]): void;
  appendCall(statePath: string, call: ToolCallRecord<T>): void;
}

function takeFault<T extends string>(faults: Partial<Record<T, ToolFault>>, tool: T): ToolFault | undefined {
  const fault = faults[tool];
  if (fault === undefined) return undefined;
  if (fault.remaining !== undefined) {
    if (fault.remaining <= 1) delete faults[tool];
    else fault.remaining -= 1;
  }
  return fault;
}

/** `pid` is the caller's process, the one the product started and may kill. */
export function callTool<S extends { faults: Partial<Record<T, ToolFault>> }, T extends string>(
  kernel: CallableKernel<S, T>,
  call: { tool: T; statePath: string; argv: string[]; pid: number; withFaults: boolean },
): ToolPlan {
  const { tool, statePath, argv, pid } = call;
  return withStateLock(statePath, (): ToolPlan => {
    const state = kernel.read(statePath);
    const time = Date.now();
    const fault = call.withFaults ? takeFault(state.faults, tool) : undefined;
    if (fault !== undefined) {
      if (fault.remaining !== undefined) kernel.write(statePath, state); // a limited fault counts down
      if (fault.mode === 'delay') return { kind: 'delay', ms: fault.ms };
      const exitCode = fault.mode === 'hang' ? null : (fault.exitCode ?? (fault.mode === 'fail' ? 1 : 0));
      kernel.appendCall(statePath, { tool, argv, time, pid, exitCode, fault: fault.mode });
      if (fault.mode === 'hang') return { kind: 'hang' };
      const stdout = fault.mode === 'output' ? fault.stdout : '';
      const stderr = fault.stderr ?? (fault.mode === 'fail' ? `${tool}: simulated failure\n` : '');
      return { kind: 'done', stdout, stderr, exitCode: exitCode ?? 1 };
    }
    const outcome = kernel.run(state, tool, argv);
    if (outcome.changed) kernel.write(statePath, state);
    kernel.appendKernelLog(statePath, outcome.kernelLog);
    const writes = outcome.writes ?? [];
    kernel.appendCall(statePath, { tool, argv, time, pid, exitCode: outcome.exitCode, ...(writes.length > 0 ? { writes } : {}) });
    return { kind: 'done', stdout: outcome.stdout, stderr: outcome.stderr, exitCode: outcome.exitCode };
  });
}
