import type { KernelReads } from '../fake-shell-reads.ts';
import { runIfconfig } from './ifconfig-cmd.ts';
import { runSysctl } from './sysctl-cmd.ts';
import type { FakeKernelState, FakeTool } from './types.ts';

/** The reads the wrapper answers from files (test/support/fake-shell-reads.ts): `ifconfig IFACE`, `sysctl -n NAME`. */
export const SHELL_READS: KernelReads<FakeKernelState, FakeTool> = {
  forms: { ifconfig: [[]], sysctl: [['-n']] },
  names: (state, tool) => Object.keys(tool === 'ifconfig' ? state.interfaces : state.sysctls),
  faulted: (state, tool) => state.faults[tool] !== undefined,
  run: (state, tool, argv) => (tool === 'ifconfig' ? runIfconfig(state, argv) : runSysctl(state, argv)),
};
