import { readsDirFor, renderReads, writeReads } from '../fake-shell-reads.ts';
import { runIfconfig } from './ifconfig-cmd.ts';
import { runSysctl } from './sysctl-cmd.ts';
import type { FakeKernelState, FakeTool } from './types.ts';

export { readsDirFor };

/** The reads the wrapper answers from files (test/support/fake-shell-reads.ts): `ifconfig IFACE`, `sysctl -n NAME`. */
export const SHELL_READS: Record<FakeTool, ReadonlyArray<readonly string[]>> = { ifconfig: [[]], sysctl: [['-n']] };

/** Renders the answers of SHELL_READS for every interface and sysctl; none for a tool while a fault is set for it. */
export function writeReadCache(statePath: string, state: FakeKernelState): void {
  const names: Record<FakeTool, string[]> = { ifconfig: Object.keys(state.interfaces), sysctl: Object.keys(state.sysctls) };
  const tools = (Object.keys(SHELL_READS) as FakeTool[]).filter((tool) => state.faults[tool] === undefined);
  const reads = tools.flatMap((tool) => SHELL_READS[tool].map((prefix) => ({ read: { tool, prefix }, names: names[tool] })));
  const files = renderReads(state, reads, (copy, tool, argv) => (tool === 'ifconfig' ? runIfconfig(copy, argv) : runSysctl(copy, argv)));
  writeReads(statePath, files);
}
