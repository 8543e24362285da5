/**
 * A real keepalived pair: two network namespaces joined by a veth pair, real
 * keepalived 2.x in each, electing over VRRP. Only addresses inside the
 * namespaces are used (TEST-NET-1 on the link, TEST-NET-2 for the VIP), and
 * everything created is removed by pid and by name, even when a test fails.
 *
 * keepalived's own view of its state comes from its log (`-l`, one line per
 * transition: "(VI_1) Entering MASTER STATE"); the kernel's view from
 * `ip -n NS -j addr` (the VIP present or not). Both are awaited, never slept on.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from './tmp.ts';
import { processAlive as alive } from './wait.ts';

export const IP = existsSync('/usr/bin/ip') ? '/usr/bin/ip' : '/sbin/ip';
export const KEEPALIVED = ['/usr/sbin/keepalived', '/usr/local/sbin/keepalived', '/sbin/keepalived'].find((path) => existsSync(path)) ?? null;
export const NSENTER = ['/usr/bin/nsenter', '/bin/nsenter'].find((path) => existsSync(path)) ?? null;

export const PAIR_IFACE = 'eth0';
export const PAIR_VIP = '198.51.100.10';
export const PAIR_INSTANCE = 'VI_1';
/** Namespace names: `cok-<pid of the test process>-<node>`, so a sweep can tell dead owners. */
const NS_PATTERN = /^cok-(\d+)-([a-z])$/;

export type KeepalivedState = 'MASTER' | 'BACKUP' | 'FAULT' | 'STOP' | 'INIT';

/** Why the real-keepalived tests cannot run here, or null when they can. */
export function keepalivedUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces)';
  if (KEEPALIVED === null) return 'keepalived is not installed (apt-get install keepalived)';
  if (NSENTER === null) return 'nsenter is not installed (util-linux)';
  try {
    execFileSync(IP, ['netns', 'list'], { stdio: 'ignore' });
  } catch {
    return '`ip netns` does not work here';
  }
  return null;
}

/** The skip reason for node:test, or false; CARP_OVH_E2E=required turns a skip into a failure. */
export function skipUnlessKeepalived(): string | false {
  const why = keepalivedUnavailable();
  if (why === null) return false;
  if (process.env.CARP_OVH_E2E === 'required') throw new Error(`CARP_OVH_E2E=required but the keepalived e2e cannot run: ${why}`);
  return `real keepalived e2e skipped: ${why}`;
}

export interface NodeSpec {
  /** One lowercase letter: the namespace is cok-<pid>-<name>. */
  name: string;
  priority: number;
  mac: string;
  /** The node's own address on the link, inside 192.0.2.0/24. */
  address: string;
  /** Argv words keepalived's `notify` runs (absolute path first); null: no notify. */
  notify?: string[] | null;
  /** `nopreempt` in the instance (needs state BACKUP, which every node starts in). */
  nopreempt?: boolean;
  /**
   * Instead of its own notify and track_file lines, include the files at
   * `includeTop` (top level) and `includeInstance` (inside the instance), as an
   * operator does with the snippets `carp-ovh install` writes. The caller writes them.
   */
  includes?: boolean;
}

export interface PairOptions {
  a: NodeSpec;
  b: NodeSpec;
  /** `weight` of the track file in both instances (negative: a non-zero value lowers priority). */
  weight: number;
  advertIntS?: number;
  label?: string;
}

export interface StateChange {
  state: KeepalivedState;
  /** performance.now() when the log line was read. */
  at: number;
}

export interface KeepalivedNode {
  name: string;
  ns: string;
  iface: string;
  mac: string;
  dir: string;
  configPath: string;
  trackFile: string;
  /** With `includes`: where the top-level and in-instance keepalived snippets are read from. */
  includeTop: string;
  includeInstance: string;
  /** An executable that runs `ip -n NS ARGS…`: what carp-ovh's platform.ip points at. */
  ipWrapper: string;
  running(): boolean;
  /** keepalived's own latest state, from its log; null before its first transition. */
  state(): KeepalivedState | null;
  changes(): StateChange[];
  start(): Promise<void>;
  /** Kills keepalived (parent and VRRP child) and waits until both are gone. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Resolves when keepalived's latest state is `state`; returns when that transition was seen. */
  waitState(state: KeepalivedState, timeoutMs?: number): Promise<number>;
  /** Resolves when keepalived logs its effective priority becoming `priority` (track file applied). */
  waitPriority(priority: number, timeoutMs?: number): Promise<number>;
  hasVip(): boolean;
  waitVip(present: boolean, timeoutMs?: number): Promise<number>;
  writeTrack(value: number): void;
  log(): string;
}

export interface KeepalivedPair {
  a: KeepalivedNode;
  b: KeepalivedNode;
  close(): Promise<void>;
}

const live = new Set<{ namespaces: string[]; pids: () => number[] }>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // A test that throws past its finally, or a runner that exits early: still no leftovers.
  process.on('exit', () => {
    for (const entry of live) teardownSync(entry.namespaces, entry.pids());
  });
}

function pidsInNamespace(ns: string): number[] {
  try {
    return execFileSync(IP, ['netns', 'pids', ns], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => /^\d+$/.test(line.trim()))
      .map(Number);
  } catch {
    return [];
  }
}

function teardownSync(namespaces: string[], pids: number[]): void {
  const all = new Set(pids);
  for (const ns of namespaces) for (const pid of pidsInNamespace(ns)) all.add(pid);
  for (const pid of all) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
  for (const ns of namespaces) {
    try {
      execFileSync(IP, ['netns', 'delete', ns], { stdio: 'ignore' });
    } catch {
      // not there (never made, or removed already)
    }
  }
}

/** Removes namespaces this harness left behind in runs whose process is dead (killed runners). */
export function sweepStaleNamespaces(): string[] {
  let names: string[];
  try {
    names = execFileSync(IP, ['netns', 'list'], { encoding: 'utf8' })
      .split('\n')
      .map((line) => line.split(' ')[0] ?? '')
      .filter((name) => NS_PATTERN.test(name));
  } catch {
    return [];
  }
  const stale = names.filter((name) => !alive(Number(NS_PATTERN.exec(name)?.[1])));
  teardownSync(stale, []);
  return stale;
}

function ip(args: string[]): string {
  return execFileSync(IP, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

interface ConfSpec {
  name: string;
  priority: number;
  trackFile: string;
  notify: string[] | null;
  nopreempt: boolean;
  includes: { top: string; instance: string } | null;
}

function keepalivedConf(node: ConfSpec, weight: number, advertIntS: number): string {
  const notify = node.notify === null ? '' : `  notify "${node.notify.map((word) => word.replace(/(["\\ ])/g, '\\$1')).join(' ')}"\n`;
  const track = node.includes === null ? `track_file carp_ovh {\n  file ${node.trackFile}\n  weight ${weight}\n}\n` : `include ${node.includes.top}\n`;
  const inInstance = node.includes === null ? `  track_file {\n    carp_ovh\n  }\n${notify}` : `  include ${node.includes.instance}\n`;
  return `global_defs {
  router_id carp_ovh_test_${node.name}
  script_user root
  enable_script_security
}
${track}vrrp_instance ${PAIR_INSTANCE} {
  state BACKUP
  interface ${PAIR_IFACE}
  virtual_router_id 51
  priority ${node.priority}
  advert_int ${advertIntS}
${node.nopreempt ? '  nopreempt\n' : ''}  virtual_ipaddress {
    ${PAIR_VIP}/32 dev ${PAIR_IFACE}
  }
${inInstance}}
`;
}

async function until<T>(probe: () => T | undefined, timeoutMs: number, what: string, onTimeout: () => string = () => ''): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (performance.now() > deadline) {
      const extra = onTimeout();
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${extra === '' ? '' : `\n${extra}`}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const TRANSITION = /\((\S+)\) Entering (MASTER|BACKUP|FAULT) STATE/;
const STOPPING = /Stopped Keepalived|Stopping$/;
const PRIORITY = /\((\S+)\) Changing effective priority from (\d+) to (\d+)/;

function makeNode(spec: NodeSpec, root: string, options: PairOptions, track: Set<ChildProcess>): KeepalivedNode {
  const ns = `cok-${process.pid}-${spec.name}`;
  const dir = join(root, spec.name);
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const trackFile = join(dir, 'track');
  writeFileSync(trackFile, '0\n');
  const configPath = join(dir, 'keepalived.conf');
  const includeTop = join(dir, 'carp-ovh.conf');
  const includeInstance = join(dir, 'carp-ovh-instance.conf');
  const includes = spec.includes === true ? { top: includeTop, instance: includeInstance } : null;
  writeFileSync(
    configPath,
    keepalivedConf(
      { name: spec.name, priority: spec.priority, trackFile, notify: spec.notify ?? null, nopreempt: spec.nopreempt === true, includes },
      options.weight,
      options.advertIntS ?? 1,
    ),
  );
  const ipWrapper = join(dir, 'ip');
  writeFileSync(ipWrapper, `#!/bin/sh\nexec ${IP} -n ${ns} "$@"\n`);
  chmodSync(ipWrapper, 0o755);
  const pidFile = join(dir, 'keepalived.pid');
  const vrrpPidFile = join(dir, 'vrrp.pid');

  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  let logText = '';
  let partial = '';
  let priorities: Array<{ priority: number; at: number }> = [];
  let changes: StateChange[] = [];

  const onLine = (line: string): void => {
    const now = performance.now();
    const transition = TRANSITION.exec(line);
    if (transition !== null && transition[1] === PAIR_INSTANCE) changes.push({ state: transition[2] as KeepalivedState, at: now });
    const priority = PRIORITY.exec(line);
    if (priority !== null && priority[1] === PAIR_INSTANCE) priorities.push({ priority: Number(priority[3]), at: now });
    if (STOPPING.test(line)) changes.push({ state: 'STOP', at: now });
  };

  const readPid = (path: string): number | null => {
    try {
      const pid = Number(readFileSync(path, 'utf8').trim());
      return Number.isSafeInteger(pid) && pid > 1 ? pid : null;
    } catch {
      return null;
    }
  };

  const node: KeepalivedNode = {
    name: spec.name,
    ns,
    iface: PAIR_IFACE,
    mac: spec.mac,
    dir,
    configPath,
    trackFile,
    includeTop,
    includeInstance,
    ipWrapper,
    running: () => child !== null,
    state: () => changes.at(-1)?.state ?? null,
    changes: () => [...changes],
    async start() {
      if (child !== null) throw new Error(`keepalived in ${ns} is already running`);
      if (KEEPALIVED === null) throw new Error('keepalived is not installed');
      changes = [];
      priorities = [];
      // -n: stay in the foreground (a pid we can await); -l -D: transitions on stdout; -G: not in the host's syslog;
      // -P: VRRP only; own pid files, so two daemons (and the host's) never collide.
      const args = [
        'netns',
        'exec',
        ns,
        KEEPALIVED,
        '-n',
        '-l',
        '-D',
        '-G',
        '-P',
        '-f',
        configPath,
        '-p',
        pidFile,
        '-r',
        vrrpPidFile,
        '-c',
        join(dir, 'checkers.pid'),
      ];
      const started = spawn(IP, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      child = started;
      track.add(started);
      const onData = (chunk: string): void => {
        logText += chunk;
        partial += chunk;
        const lines = partial.split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) onLine(line);
      };
      started.stdout?.setEncoding('utf8').on('data', onData);
      started.stderr?.setEncoding('utf8').on('data', onData);
      exited = new Promise<void>((resolve) => {
        started.on('close', () => {
          track.delete(started);
          if (child === started) child = null;
          resolve();
        });
      });
      // Up when its VRRP child has written its pid file and the instance has entered its first state.
      await until(
        () => (changes.length > 0 ? true : undefined),
        20_000,
        `keepalived in ${ns} to enter its first state`,
        () => logText.slice(-2000),
      );
    },
    async kill(signal = 'SIGKILL') {
      const current = child;
      if (current === null) return;
      const vrrp = readPid(vrrpPidFile);
      try {
        process.kill(-(current.pid ?? 0), signal);
      } catch {
        current.kill(signal);
      }
      // A real crash takes the VRRP child too; it is in the same process group, but be sure.
      if (signal === 'SIGKILL' && vrrp !== null && alive(vrrp)) {
        try {
          process.kill(vrrp, 'SIGKILL');
        } catch {
          // gone with its parent
        }
      }
      // SIGTERM lets keepalived say goodbye (priority 0); if it does not finish, it is killed.
      let timer: NodeJS.Timeout | undefined;
      const finished = await Promise.race([exited.then(() => true), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), 15_000)))]);
      clearTimeout(timer);
      if (!finished) {
        try {
          process.kill(-(current.pid ?? 0), 'SIGKILL');
        } catch {
          // gone meanwhile
        }
        await exited;
      }
      if (vrrp !== null) await until(() => (alive(vrrp) ? undefined : true), 10_000, `keepalived's VRRP child ${vrrp} in ${ns} to exit`);
    },
    async waitState(state, timeoutMs = 30_000) {
      return until(
        () => {
          const last = changes.at(-1);
          return last?.state === state ? last.at : undefined;
        },
        timeoutMs,
        `keepalived in ${ns} to enter ${state}`,
        () => `states: ${changes.map((c) => c.state).join(' -> ')}\n${logText.slice(-1500)}`,
      );
    },
    async waitPriority(priority, timeoutMs = 30_000) {
      return until(
        () => priorities.find((p) => p.priority === priority)?.at,
        timeoutMs,
        `keepalived in ${ns} to change its effective priority to ${priority}`,
        () => logText.slice(-1500),
      );
    },
    hasVip() {
      const parsed = JSON.parse(ip(['-n', ns, '-j', 'addr', 'show', 'dev', PAIR_IFACE])) as Array<{ addr_info?: Array<{ local?: string }> }>;
      return parsed.some((link) => (link.addr_info ?? []).some((info) => info.local === PAIR_VIP));
    },
    async waitVip(present, timeoutMs = 30_000) {
      return until(() => (node.hasVip() === present ? performance.now() : undefined), timeoutMs, `the VIP to be ${present ? 'on' : 'off'} ${ns}`);
    },
    writeTrack(value) {
      // Atomically, as keepalived expects (it watches the file with inotify).
      const temp = `${trackFile}.tmp`;
      writeFileSync(temp, `${value}\n`);
      renameSync(temp, trackFile);
    },
    log: () => logText,
  };
  return node;
}

/** Two namespaces, a veth between them, keepalived configured (not started) in each. */
export function createKeepalivedPair(options: PairOptions): KeepalivedPair {
  installExitHook();
  sweepStaleNamespaces();
  const root = makeTempDir(options.label ?? 'keepalived-pair');
  // keepalived's enable_script_security refuses scripts under directories others may write.
  chmodSync(root, 0o755);
  const processes = new Set<ChildProcess>();
  const a = makeNode(options.a, root, options, processes);
  const b = makeNode(options.b, root, options, processes);
  const entry = { namespaces: [a.ns, b.ns], pids: () => [...processes].flatMap((p) => (p.pid === undefined ? [] : [p.pid])) };
  live.add(entry);
  try {
    ip(['netns', 'add', a.ns]);
    ip(['netns', 'add', b.ns]);
    // Created inside the namespaces: no name is ever taken in the host's own namespace.
    ip(['link', 'add', PAIR_IFACE, 'netns', a.ns, 'type', 'veth', 'peer', 'name', PAIR_IFACE, 'netns', b.ns]);
    for (const [node, spec] of [
      [a, options.a],
      [b, options.b],
    ] as const) {
      ip(['-n', node.ns, 'link', 'set', 'lo', 'up']);
      ip(['-n', node.ns, 'link', 'set', PAIR_IFACE, 'address', spec.mac]);
      ip(['-n', node.ns, 'addr', 'add', `${spec.address}/24`, 'dev', PAIR_IFACE]);
      ip(['-n', node.ns, 'link', 'set', PAIR_IFACE, 'up']);
    }
  } catch (error) {
    live.delete(entry);
    teardownSync(entry.namespaces, []);
    throw error;
  }
  return {
    a,
    b,
    async close() {
      await Promise.all([a.kill('SIGTERM'), b.kill('SIGTERM')].map((p) => p.catch(() => undefined)));
      live.delete(entry);
      teardownSync(entry.namespaces, entry.pids());
    },
  };
}
