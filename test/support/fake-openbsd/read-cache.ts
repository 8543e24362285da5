import { renderReads, writeReads } from '../fake-shell-reads.ts';
import { runIfconfig } from './ifconfig-cmd.ts';
import { runSysctl } from './sysctl-cmd.ts';
import type { ObsdKernelState, ObsdTool } from './types.ts';

/** The reads the wrapper answers from files (test/support/fake-shell-reads.ts): `ifconfig IFACE`, `ifconfig -g GROUP`, `sysctl -n NAME`. */
export const SHELL_READS: Record<ObsdTool, ReadonlyArray<readonly string[]>> = { ifconfig: [[], ['-g']], sysctl: [['-n']] };

/** Renders the answers of SHELL_READS for every interface, group and sysctl; none for a tool while a fault is set for it. */
export function writeObsdReads(statePath: string, state: ObsdKernelState): void {
  const groups = new Set([...Object.keys(state.demote), ...Object.values(state.interfaces).flatMap((iface) => iface.groups ?? [])]);
  const names = (tool: ObsdTool, prefix: readonly string[]): string[] =>
    tool === 'sysctl' ? Object.keys(state.sysctls) : prefix.length === 0 ? Object.keys(state.interfaces) : [...groups];
  const tools = (Object.keys(SHELL_READS) as ObsdTool[]).filter((tool) => state.faults[tool] === undefined);
  const reads = tools.flatMap((tool) => SHELL_READS[tool].map((prefix) => ({ read: { tool, prefix }, names: names(tool, prefix) })));
  writeReads(
    statePath,
    renderReads(state, reads, (copy, tool, argv) => (tool === 'ifconfig' ? runIfconfig(copy, argv) : runSysctl(copy, argv))),
  );
}
