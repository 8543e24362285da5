import type { KernelReads } from '../fake-shell-reads.ts';
import { runIfconfig } from './ifconfig-cmd.ts';
import { runSysctl } from './sysctl-cmd.ts';
import type { ObsdKernelState, ObsdTool } from './types.ts';

function groupsOf(state: ObsdKernelState): string[] {
  return [...new Set([...Object.keys(state.demote), ...Object.values(state.interfaces).flatMap((iface) => iface.groups ?? [])])];
}

/** The reads the wrapper answers from files (test/support/fake-shell-reads.ts): `ifconfig IFACE`, `ifconfig -g GROUP`, `sysctl -n NAME`. */
export const SHELL_READS: KernelReads<ObsdKernelState, ObsdTool> = {
  forms: { ifconfig: [[], ['-g']], sysctl: [['-n']] },
  names: (state, tool, prefix) => (tool === 'sysctl' ? Object.keys(state.sysctls) : prefix.length === 0 ? Object.keys(state.interfaces) : groupsOf(state)),
  faulted: (state, tool) => state.faults[tool] !== undefined,
  run: (state, tool, argv) => (tool === 'ifconfig' ? runIfconfig(state, argv) : runSysctl(state, argv)),
};
