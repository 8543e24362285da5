import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { shellReadLines } from '../fake-shell-reads.ts';
import { serveKernelKind, toolServerExec } from '../fake-tool-server.ts';
import { SHELL_READS } from './read-cache.ts';
import {
  STATE_FILE,
  appendCall,
  appendKernelLog,
  callLogPathFor,
  kernelLogPathFor,
  readCalls,
  readKernelLog,
  readState,
  withStateLock,
  writeState,
} from './store.ts';
import {
  DEMOTION_SYSCTL,
  completeState,
  type FakeCall,
  type FakeCarpState,
  type FakeFault,
  type FakeInterface,
  type FakeKernelSetup,
  type FakeKernelState,
  type FakeTool,
  type FreeBsdVersion,
} from './types.ts';

export type {
  FakeCall,
  FakeCarpState,
  FakeCarpVhid,
  FakeFault,
  FakeInet,
  FakeInet6,
  FakeInterface,
  FakeKernelSetup,
  FakeKernelState,
  FakeSysctlWrite,
  FakeTool,
  FreeBsdVersion,
} from './types.ts';
export { DEMOTION_SYSCTL, defaultSysctls } from './types.ts';

/**
 * A simulated FreeBSD router kernel: a JSON state file plus two executables,
 * `ifconfig` and `sysctl`, that print what FreeBSD prints and change that state.
 * Point carp-ovh at them with `platform.ifconfig: <ifconfigPath>` and
 * `platform.sysctl: <sysctlPath>`. Two kernels in two directories make a router pair.
 */
export interface FakeKernel {
  dir: string;
  ifconfigPath: string;
  sysctlPath: string;
  statePath: string;
  /** JSON lines, one per invocation of either tool (see FakeCall). */
  logPath: string;
  /** Kernel messages (`carp: demoted by … (sysctl)`, state changes), one per line. */
  kernelLogPath: string;
  read(): FakeKernelState;
  /** Read-modify-write under the same lock the tools use. */
  update(mutate: (state: FakeKernelState) => void): FakeKernelState;
  /** What the kernel would do on an election: change the state and log the transition. */
  setCarpState(iface: string, vhid: number, state: FakeCarpState, reason?: string): void;
  /** Sets a sysctl directly (no "adds" semantics, no call logged). */
  setSysctl(name: string, value: number | string): void;
  demotion(): number;
  /** Null clears the fault. */
  setFault(tool: FakeTool, fault: FakeFault | null): void;
  calls(): FakeCall[];
  /** The amounts written to net.inet.carp.demotion through `sysctl`, in order. */
  demotionWrites(): number[];
  kernelLog(): string[];
}

const KIND = 'fake-freebsd';

serveKernelKind<FakeKernelState, FakeTool>(KIND, ['ifconfig', 'sysctl'], {
  read: readState,
  write: writeState,
  run: SHELL_READS.run,
  appendKernelLog,
  appendCall: (path, entry) => appendCall(path, entry as FakeCall),
});

function writeWrapper(path: string, tool: FakeTool, statePath: string): void {
  // devd and cron run commands with an empty environment: every path is absolute.
  const script = [
    '#!/bin/sh',
    `# Fake FreeBSD ${tool} for carp-ovh tests (state: ${statePath}).`,
    ...shellReadLines(tool, SHELL_READS.forms[tool], statePath, callLogPathFor(statePath)),
    toolServerExec(KIND, tool, statePath),
    '',
  ].join('\n');
  writeFileSync(path, script, { mode: 0o755 });
}

function defaultReason(from: FakeCarpState, to: FakeCarpState): string {
  if (to === 'MASTER') return 'master timed out';
  if (to === 'BACKUP') return from === 'INIT' ? 'initialization complete' : 'more frequent advertisement received';
  return 'hardware interface down';
}

export function createFakeKernel(dir: string, initial: FakeKernelSetup, options: { freebsdVersion?: FreeBsdVersion } = {}): FakeKernel {
  const root = resolve(dir);
  mkdirSync(root, { recursive: true });
  const statePath = join(root, STATE_FILE);
  const ifconfigPath = join(root, 'ifconfig');
  const sysctlPath = join(root, 'sysctl');
  writeState(statePath, completeState(initial, options.freebsdVersion));
  writeFileSync(callLogPathFor(statePath), '');
  writeFileSync(kernelLogPathFor(statePath), '');
  writeWrapper(ifconfigPath, 'ifconfig', statePath);
  writeWrapper(sysctlPath, 'sysctl', statePath);

  const update = (mutate: (state: FakeKernelState) => void): FakeKernelState =>
    withStateLock(statePath, () => {
      const state = readState(statePath);
      mutate(state);
      writeState(statePath, state);
      return state;
    });

  return {
    dir: root,
    ifconfigPath,
    sysctlPath,
    statePath,
    logPath: callLogPathFor(statePath),
    kernelLogPath: kernelLogPathFor(statePath),
    read: () => readState(statePath),
    update,
    setCarpState(iface, vhid, next, reason) {
      update((state) => {
        const carp = state.interfaces[iface]?.carp?.find((entry) => entry.vhid === vhid);
        if (carp === undefined) throw new Error(`fake-freebsd: no vhid ${vhid} on ${iface}`);
        if (carp.state === next) return;
        appendKernelLog(statePath, [`carp: ${vhid}@${iface}: ${carp.state} -> ${next} (${reason ?? defaultReason(carp.state, next)})`]);
        carp.state = next;
      });
    },
    setSysctl(name, value) {
      update((state) => {
        state.sysctls[name] = value;
      });
    },
    demotion() {
      const value = readState(statePath).sysctls[DEMOTION_SYSCTL];
      return typeof value === 'number' ? value : Number.NaN;
    },
    setFault(tool, fault) {
      update((state) => {
        if (fault === null) delete state.faults[tool];
        else state.faults[tool] = fault;
      });
    },
    calls: () => readCalls(statePath),
    demotionWrites: () =>
      readCalls(statePath).flatMap((call) => (call.writes ?? []).filter((write) => write.name === DEMOTION_SYSCTL).map((write) => Number(write.value))),
    kernelLog: () => readKernelLog(statePath),
  };
}

/**
 * A router as in the reference: one NIC with its own address, plus CARP VIPs.
 * `vips` lists one entry per vhid; each address gets `netmask 0xffffffff … vhid N`.
 */
export function routerInterface(options: {
  ether: string;
  address: string;
  netmask?: string | number;
  vips: Array<{ vhid: number; state: FakeCarpState; addresses: string[]; advbase?: number; advskew?: number }>;
}): FakeInterface {
  return {
    ether: options.ether,
    inet: [
      { addr: options.address, netmask: options.netmask ?? 32 },
      ...options.vips.flatMap((vip) => vip.addresses.map((addr) => ({ addr, netmask: 32, vhid: vip.vhid }))),
    ],
    carp: options.vips.map((vip) => ({
      vhid: vip.vhid,
      state: vip.state,
      advbase: vip.advbase ?? 1,
      advskew: vip.advskew ?? 0,
    })),
  };
}
