/**
 * A simulated world for end-to-end tests, the demo and the benchmarks: the OVH
 * API and Vault stand-ins, and routers (a fake FreeBSD kernel, a config, a state
 * dir each) that run the real CLI as a subprocess, the way devd runs it.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CA_PATH } from './certs.ts';
import { runCli, type CliResult } from './cli.ts';
import { createFakeKernel, routerInterface, type FakeCarpState, type FakeKernel } from './fake-freebsd/index.ts';
import { startOvhSimulator, type OvhSimulator, type OvhSimulatorOptions } from './ovh-sim/index.ts';
import { SEED_MAC_ROUTER_002, SEED_MAC_ROUTER_003, SEED_SERVER, SEED_VIP } from './ovh-sim/state.ts';
import { VAULT_ROLE_ID, VAULT_SECRET_ID } from './secrets.ts';
import { makeTempDir } from './tmp.ts';
import { startVaultSimulator, type VaultSimulator, type VaultSimulatorOptions } from './vault-sim/index.ts';
import { awaitDetachedWorkers, DEFAULT_WAIT_MS, waitUntil } from './wait.ts';

export { SEED_MAC_ROUTER_002, SEED_MAC_ROUTER_003, SEED_SERVER, SEED_VIP };

export interface RouterSpec {
  name: string;
  mac: string;
  ownAddress: string;
  state: FakeCarpState;
  /** Addresses on vhid 2 (default: the seed's VIP). */
  vips?: string[];
  /** Extra YAML under `ovh:` (indented two spaces), e.g. tighter deadlines. */
  ovhExtra?: string;
  /** Where this router reaches Vault (default the simulator itself; a cuttable link in the demo). */
  vaultUrl?: string;
  /**
   * `alias: {interface}`: a second NIC (its own MAC, the one OVH knows) where the
   * VIPs live as /32 aliases while MASTER; vhid 2 on vmx1 then carries no address.
   */
  alias?: { interface: string; ether: string; address: string };
  /** failover[].via (default virtual-mac, the seed's). */
  via?: 'virtual-mac' | 'ip-move';
  /** failover[].server: this router's dedicated server (default the seed's, hosting both router VMs). */
  server?: string;
  /** failover[].nexthop (ip-move), left out when unset. */
  nexthop?: string;
}

export interface Router {
  name: string;
  mac: string;
  dir: string;
  kernel: FakeKernel;
  configPath: string;
  stateDir: string;
  logFile: string;
  cli(args: string[], options?: { timeoutMs?: number; env?: NodeJS.ProcessEnv }): Promise<CliResult>;
  hook(type: string, options?: { wait?: boolean; subsystem?: string }): Promise<CliResult>;
  setState(state: FakeCarpState): void;
  /** JSON log lines the detached worker (or a foreground command with syslog off) wrote. */
  logLines(): Array<Record<string, unknown>>;
  lastClaim(): Record<string, unknown> | null;
  /** state_dir/last-check.json, written by `carp-ovh check`. */
  lastCheck(): Record<string, unknown> | null;
  demotion(): number;
  /**
   * Resolves once every claim worker started for this router (by `hook` without
   * --wait, or `reconcile`) has exited. Await it after the hooks returned and
   * before reading the log or judging the final state.
   */
  workersDone(): Promise<void>;
}

export interface World {
  dir: string;
  ovh: OvhSimulator;
  vault: VaultSimulator;
  router(spec: RouterSpec): Router;
  /** Another kind of node (an OpenBSD instance, test/support/openbsd-world.ts) whose workers close() awaits. */
  adopt(node: { workersDone(): Promise<void> }): void;
  /** Awaits every node's detached workers, then closes the simulators. */
  close(): Promise<void>;
}

/**
 * Bounds that hold on a loaded two-core machine (a claim step there can take
 * seconds): a test that means a timeout or a deadline to pass sets its own.
 */
export const DEFAULT_OVH_TUNING = `  timeout: 5s
  poll_interval: 20ms
  deadline: 30s
  max_rpm: 6000
  retries: 2`;

export async function startWorld(options: { ovh?: OvhSimulatorOptions; vault?: VaultSimulatorOptions; label?: string } = {}): Promise<World> {
  const dir = makeTempDir(options.label ?? 'world');
  const ovh = await startOvhSimulator(options.ovh ?? {});
  const vault = await startVaultSimulator(options.vault ?? {});
  const nodes: Array<{ workersDone(): Promise<void> }> = [];
  return {
    dir,
    ovh,
    vault,
    router: (spec) => {
      const router = makeRouter(dir, ovh, vault, spec);
      nodes.push(router);
      return router;
    },
    adopt: (node) => {
      nodes.push(node);
    },
    close: async () => {
      // A worker still claiming would see the simulators vanish and demote:
      // that is not what any test meant to show, so the world ends after them.
      const waits = await Promise.allSettled(nodes.map((n) => n.workersDone()));
      await Promise.all([ovh.close(), vault.close()]);
      const failed = waits.find((w) => w.status === 'rejected');
      if (failed !== undefined) throw failed.reason;
    },
  };
}

/** Where one simulated node keeps its config, state, log, health scripts and Vault access file. */
export interface NodeFiles {
  dir: string;
  configPath: string;
  stateDir: string;
  logFile: string;
  scriptsDir: string;
  secretsmith: string;
}

/**
 * A fresh dir for a node (a second node of the same name must not inherit the
 * first one's state), with its secretsmith file pointing at `vaultUrl`.
 */
export function nodeFiles(root: string, name: string, vaultUrl: string): NodeFiles {
  let dir = join(root, name);
  for (let n = 2; existsSync(dir); n++) dir = join(root, `${name}-${n}`);
  mkdirSync(dir, { recursive: true });
  const secretsmith = join(dir, 'carp-secretsmith.yaml');
  writeFileSync(
    secretsmith,
    `vault:\n  server: { url: ${vaultUrl}, verify: ${CA_PATH} }\n  auth: { method: approle, role_id: "${VAULT_ROLE_ID}", secret_id: "${VAULT_SECRET_ID}" }\n`,
    { mode: 0o600 },
  );
  const scriptsDir = join(dir, 'service-status.d');
  mkdirSync(scriptsDir, { recursive: true });
  return { dir, configPath: join(dir, 'carp-ovh.yaml'), stateDir: join(dir, 'state'), logFile: join(dir, 'carp-ovh.log'), scriptsDir, secretsmith };
}

/**
 * Writes the node's carp-ovh.yaml: the OVH simulator and Vault as every node
 * reaches them, then its own `failover:` and `platform:` sections (YAML text).
 */
export function writeNodeConfig(
  files: NodeFiles,
  options: { ovhUrl: string; ovhExtra?: string; vaultTimeout?: string; failover: string; platform: string },
): void {
  writeFileSync(
    files.configPath,
    `ovh:
  url: ${options.ovhUrl}
  ca: ${CA_PATH}
${options.ovhExtra ?? DEFAULT_OVH_TUNING}
  credentials:
    vault:
      config: ${files.secretsmith}
      mount: apps
      path: network/carp-hyper-001-switch
      timeout: ${options.vaultTimeout ?? '10s'}
failover:
${options.failover}platform:
${options.platform}health:
  scripts: ${files.scriptsDir}
  claim_hold: 2s
state_dir: ${files.stateDir}
log:
  level: debug
  syslog: false
  file: ${files.logFile}
`,
  );
}

/** What every node offers whatever its platform: the real CLI on its config, its log lines, state files and workers. */
export interface NodeRuntime {
  cli(args: string[], options?: { timeoutMs?: number; env?: NodeJS.ProcessEnv }): Promise<CliResult>;
  logLines(): Array<Record<string, unknown>>;
  lastClaim(): Record<string, unknown> | null;
  lastCheck(): Record<string, unknown> | null;
  workersDone(): Promise<void>;
}

export function nodeRuntime(files: NodeFiles): NodeRuntime {
  return {
    cli: (args, options = {}) => runCli(['--config', files.configPath, ...args], { captureDir: files.dir, timeoutMs: options.timeoutMs, env: options.env }),
    logLines: () =>
      existsSync(files.logFile)
        ? readFileSync(files.logFile, 'utf8')
            .split('\n')
            .filter((line) => line !== '')
            .map((line) => JSON.parse(line) as Record<string, unknown>)
        : [],
    lastClaim: () => readState(files.stateDir, 'last-claim.json'),
    lastCheck: () => readState(files.stateDir, 'last-check.json'),
    workersDone: () => awaitDetachedWorkers(files.configPath),
  };
}

function makeRouter(root: string, ovh: OvhSimulator, vault: VaultSimulator, spec: RouterSpec): Router {
  const files = nodeFiles(root, spec.name, spec.vaultUrl ?? vault.url);
  const vips = spec.vips ?? [SEED_VIP];
  const kernel = createFakeKernel(join(files.dir, 'kernel'), {
    interfaces: {
      ...(spec.alias === undefined ? {} : { [spec.alias.interface]: routerInterface({ ether: spec.alias.ether, address: spec.alias.address, vips: [] }) }),
      vmx1: routerInterface({
        ether: spec.mac,
        address: spec.ownAddress,
        vips: [{ vhid: 2, state: spec.state, addresses: spec.alias === undefined ? vips : [] }],
      }),
    },
  });
  writeNodeConfig(files, {
    ovhUrl: ovh.url,
    ...(spec.ovhExtra === undefined ? {} : { ovhExtra: spec.ovhExtra }),
    failover: `  - vhid: 2
    interface: vmx1
    addresses: [${vips.join(', ')}]
    via: ${spec.via ?? 'virtual-mac'}
    server: ${spec.server ?? SEED_SERVER}
${spec.via === 'ip-move' ? '' : `    vm_name: ${spec.name}\n`}${spec.nexthop === undefined ? '' : `    nexthop: ${spec.nexthop}\n`}${spec.alias === undefined ? '' : `    alias: { interface: ${spec.alias.interface} }\n`}`,
    platform: `  ifconfig: ${kernel.ifconfigPath}
  sysctl: ${kernel.sysctlPath}
`,
  });
  const runtime = nodeRuntime(files);
  return {
    name: spec.name,
    mac: spec.mac,
    dir: files.dir,
    kernel,
    configPath: files.configPath,
    stateDir: files.stateDir,
    logFile: files.logFile,
    ...runtime,
    hook: (type, options = {}) => runtime.cli(['hook', options.subsystem ?? '2@vmx1', type, ...(options.wait === true ? ['--wait'] : [])]),
    setState: (state) => kernel.setCarpState('vmx1', 2, state),
    demotion: () => kernel.demotion(),
  };
}

function readState(stateDir: string, name: string): Record<string, unknown> | null {
  const path = join(stateDir, name);
  if (!existsSync(path)) return null;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch {
    return null; // being replaced this very moment: the next read will do
  }
}

/** router-002 (BACKUP, the seed's taker) and router-003 (MASTER, holding the VIP at OVH). */
export function seedPair(world: World, extra: Partial<RouterSpec> = {}): { r002: Router; r003: Router } {
  return {
    r002: world.router({ name: 'router-002', mac: SEED_MAC_ROUTER_002, ownAddress: '178.32.70.110', state: 'BACKUP', ...extra }),
    r003: world.router({ name: 'router-003', mac: SEED_MAC_ROUTER_003, ownAddress: '178.32.70.111', state: 'MASTER', ...extra }),
  };
}

/** Where OVH routes the VIP now: the vMAC(s) listing it. */
export function holdersOf(world: World, address = SEED_VIP): string[] {
  return world.ovh.locate(address).flatMap((p) => (p.via === 'virtual-mac' ? [p.mac] : []));
}

/**
 * The older spelling of waitUntil (test/support/wait.ts), kept for callers not
 * yet moved over. A bound below the shared default is raised to it: short
 * bounds are what made waits fail on a loaded machine.
 */
export async function waitFor(predicate: () => boolean, timeoutMs = DEFAULT_WAIT_MS, what = 'condition'): Promise<void> {
  await waitUntil(what, predicate, { timeoutMs: Math.max(timeoutMs, DEFAULT_WAIT_MS) });
}

/** The JSON log lines in a foreground command's stderr (syslog off). */
export function stderrLines(stderr: string): Array<Record<string, unknown>> {
  return stderr
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
