import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { withStateLock } from '../fake-freebsd/store.ts';
import { shellReadLines } from '../fake-shell-reads.ts';
import { serveKernelKind, toolServerExec } from '../fake-tool-server.ts';
import { SHELL_READS } from './read-cache.ts';
import { appendCall, appendKernel, callLogOf, kernelLogOf, readObsdState, STATE_FILE, writeObsdState } from './store.ts';
import {
  BOOTTIME,
  completeObsdState,
  type ObsdCall,
  type ObsdCarpState,
  type ObsdFault,
  type ObsdInterface,
  type ObsdKernelSetup,
  type ObsdKernelState,
  type ObsdTool,
} from './types.ts';

export type { ObsdCall, ObsdCarpState, ObsdDialect, ObsdFault, ObsdInterface, ObsdKernelSetup, ObsdKernelState } from './types.ts';
export { BOOTTIME } from './types.ts';

/**
 * A simulated OpenBSD instance: a JSON state file plus `ifconfig` and `sysctl`
 * executables that print what OpenBSD prints and change that state. Point carp-ovh
 * at them with `platform.ifconfig` / `platform.sysctl`.
 */
export interface FakeOpenBsd {
  dir: string;
  ifconfigPath: string;
  sysctlPath: string;
  statePath: string;
  read(): ObsdKernelState;
  update(mutate: (state: ObsdKernelState) => void): ObsdKernelState;
  /** What the kernel does on an election: change the state, log the transition. */
  setCarpState(iface: string, state: ObsdCarpState): void;
  /** The group's carp demote counter. */
  demoteCount(group?: string): number;
  /** A reboot: new kern.boottime, every group counter back to 0, carp interfaces INIT. */
  reboot(options?: { bootSeconds?: number }): void;
  /** The IPv4 addresses on an interface, in order. */
  addresses(iface: string): string[];
  setFault(tool: ObsdTool, fault: ObsdFault | null): void;
  calls(): ObsdCall[];
  kernelLog(): string[];
}

const KIND = 'fake-openbsd';

serveKernelKind<ObsdKernelState, ObsdTool>(KIND, ['ifconfig', 'sysctl'], {
  read: readObsdState,
  write: writeObsdState,
  run: SHELL_READS.run,
  appendKernelLog: appendKernel,
  appendCall: (path, entry) => appendCall(path, entry as ObsdCall),
});

function writeWrapper(path: string, tool: ObsdTool, statePath: string): void {
  const script = [
    '#!/bin/sh',
    `# Fake OpenBSD ${tool} for carp-ovh tests (state: ${statePath}).`,
    ...shellReadLines(tool, SHELL_READS.forms[tool], statePath, callLogOf(statePath)),
    toolServerExec(KIND, tool, statePath),
    '',
  ].join('\n');
  writeFileSync(path, script, { mode: 0o755 });
}

function readLines(path: string): string[] {
  try {
    return readFileSync(path, 'utf8')
      .split('\n')
      .filter((line) => line.length > 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

export function createFakeOpenBsd(dir: string, setup: ObsdKernelSetup): FakeOpenBsd {
  const root = resolve(dir);
  mkdirSync(root, { recursive: true });
  const statePath = join(root, STATE_FILE);
  const ifconfigPath = join(root, 'ifconfig');
  const sysctlPath = join(root, 'sysctl');
  writeObsdState(statePath, completeObsdState(setup));
  writeFileSync(callLogOf(statePath), '');
  writeFileSync(kernelLogOf(statePath), '');
  writeWrapper(ifconfigPath, 'ifconfig', statePath);
  writeWrapper(sysctlPath, 'sysctl', statePath);

  const update = (mutate: (state: ObsdKernelState) => void): ObsdKernelState =>
    withStateLock(statePath, () => {
      const state = readObsdState(statePath);
      mutate(state);
      writeObsdState(statePath, state);
      return state;
    });

  return {
    dir: root,
    ifconfigPath,
    sysctlPath,
    statePath,
    read: () => readObsdState(statePath),
    update,
    setCarpState(iface, next) {
      update((state) => {
        const carp = state.interfaces[iface]?.carp;
        if (carp === undefined) throw new Error(`fake-openbsd: ${iface} is not a carp interface`);
        if (carp.state === next) return;
        appendKernel(statePath, [`${iface}: state transition: ${carp.state} -> ${next}`]);
        carp.state = next;
      });
    },
    demoteCount: (group = 'carp') => readObsdState(statePath).demote[group] ?? Number.NaN,
    reboot(options = {}) {
      update((state) => {
        const previous = state.sysctls[BOOTTIME] ?? 0;
        state.sysctls[BOOTTIME] = options.bootSeconds ?? previous + 3600;
        for (const group of Object.keys(state.demote)) state.demote[group] = 0;
        for (const iface of Object.values(state.interfaces)) if (iface.carp !== undefined) iface.carp.state = 'INIT';
      });
    },
    addresses: (iface) => (readObsdState(statePath).interfaces[iface]?.inet ?? []).map((inet) => inet.addr),
    setFault(tool, fault) {
      update((state) => {
        if (fault === null) delete state.faults[tool];
        else state.faults[tool] = fault;
      });
    },
    calls: () => readLines(callLogOf(statePath)).map((line) => JSON.parse(line) as ObsdCall),
    kernelLog: () => readLines(kernelLogOf(statePath)),
  };
}

/**
 * One edge instance of the OpenBSD Public Cloud setup: the external NIC (vio0,
 * where the failover IP is aliased), the private NIC CARP talks on (vio2), and carp0.
 */
export function edgeInstance(options: {
  carpState: ObsdCarpState;
  advskew: number;
  vio0: { lladdr: string; address: string };
  vio2: { lladdr: string; address: string };
  carpAddress?: string;
}): Record<string, ObsdInterface> {
  return {
    vio0: { lladdr: options.vio0.lladdr, index: 1, groups: ['egress'], inet: [{ addr: options.vio0.address, prefix: 32 }] },
    vio2: { lladdr: options.vio2.lladdr, index: 3, inet: [{ addr: options.vio2.address, prefix: 16 }] },
    carp0: {
      lladdr: '00:00:5e:00:01:01',
      index: 6,
      carp: { state: options.carpState, carpdev: 'vio2', vhid: 1, advbase: 1, advskew: options.advskew },
      groups: ['carp'],
      inet: [{ addr: options.carpAddress ?? '10.25.0.10', prefix: 16 }],
    },
  };
}
