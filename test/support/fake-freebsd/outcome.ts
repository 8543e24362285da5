import type { FakeSysctlWrite } from './types.ts';

/** What one run of a fake tool did: its output, and what it changed in the kernel. */
export interface CommandOutcome {
  stdout: string;
  stderr: string;
  exitCode: number;
  /** The state object was modified and must be written back. */
  changed: boolean;
  kernelLog: string[];
  writes: FakeSysctlWrite[];
}

export function emptyOutcome(): CommandOutcome {
  return { stdout: '', stderr: '', exitCode: 0, changed: false, kernelLog: [], writes: [] };
}

/** Kernel messages go through CARP_LOG, which only logs when net.inet.carp.log > 0. */
export function carpLogEnabled(sysctls: Record<string, number | string>): boolean {
  const level = sysctls['net.inet.carp.log'];
  return typeof level === 'number' && level > 0;
}
