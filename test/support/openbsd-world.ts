/**
 * OpenBSD edge instances on OVH Public Cloud for end-to-end tests and the demo:
 * a fake OpenBSD kernel (carp0 on vio2, the failover IP aliased on vio0), a config
 * with `platform.kind: openbsd` and a `via: cloud` entry, a state dir, and the real
 * CLI run as a subprocess, the way ifstated's `run` lines run it.
 */
import { join } from 'node:path';
import type { CliResult } from './cli.ts';
import { createFakeOpenBsd, edgeInstance, type FakeOpenBsd, type ObsdCarpState } from './fake-openbsd/index.ts';
import type { SimState } from './ovh-sim/index.ts';
import { nodeFiles, nodeRuntime, writeNodeConfig, type World } from './world.ts';

/** The seed's project, failover IP and the two edge instances. */
export const CLOUD_PROJECT = 't18s';
export const CLOUD_FIP = '146.59.143.231';
export const EDGES = [
  { name: 'bi-edge-sbg-1', id: 'a1b2c3d4-0001', vio0: 'fa:16:3e:00:00:01', vio2: 'fa:16:3e:00:02:01', address: '51.75.0.1', advskew: 1 },
  { name: 'bi-edge-sbg-2', id: 'a1b2c3d4-0002', vio0: 'fa:16:3e:00:00:02', vio2: 'fa:16:3e:00:02:02', address: '51.75.0.2', advskew: 50 },
] as const;

/** The OVH side of the seed: the failover IP attached to the first instance. */
export function cloudSeedState(routedTo: string = EDGES[0].id): Partial<SimState> {
  return {
    dedicated: {},
    ips: {},
    cloud: {
      [CLOUD_PROJECT]: {
        instances: EDGES.map((edge) => ({ id: edge.id, name: edge.name, region: 'SBG5', publicIp: edge.address })),
        failoverIps: [{ id: 'fo-146-59-143-231', ip: CLOUD_FIP, routedTo }],
      },
    },
  };
}

export interface EdgeSpec {
  index: 0 | 1;
  state: ObsdCarpState;
  ovhExtra?: string;
  vaultUrl?: string;
}

export interface Edge {
  name: string;
  id: string;
  dir: string;
  kernel: FakeOpenBsd;
  configPath: string;
  stateDir: string;
  logFile: string;
  /** The health scripts directory (health.scripts): an executable that exits non-zero fails `check`. */
  scriptsDir: string;
  cli(args: string[], options?: { timeoutMs?: number; env?: NodeJS.ProcessEnv }): Promise<CliResult>;
  /** ifstated's run line for this state: `hook carp0 MASTER|BACKUP`. */
  hook(type: string, options?: { wait?: boolean }): Promise<CliResult>;
  setState(state: ObsdCarpState): void;
  aliased(): boolean;
  demoteCount(): number;
  logLines(): Array<Record<string, unknown>>;
  lastClaim(): Record<string, unknown> | null;
  lastCheck(): Record<string, unknown> | null;
  /** Resolves once every claim worker a hook started for this instance has exited (world.close() awaits it too). */
  workersDone(): Promise<void>;
}

export function edge(world: World, spec: EdgeSpec): Edge {
  const facts = EDGES[spec.index];
  const files = nodeFiles(world.dir, facts.name, spec.vaultUrl ?? world.vault.url);
  const kernel = createFakeOpenBsd(join(files.dir, 'kernel'), {
    interfaces: edgeInstance({
      carpState: spec.state,
      advskew: facts.advskew,
      vio0: { lladdr: facts.vio0, address: facts.address },
      vio2: { lladdr: facts.vio2, address: `10.25.0.${spec.index + 1}` },
    }),
  });
  writeNodeConfig(files, {
    ovhUrl: world.ovh.url,
    ...(spec.ovhExtra === undefined ? {} : { ovhExtra: spec.ovhExtra }),
    vaultTimeout: '30s',
    failover: `  - interface: carp0
    addresses: [${CLOUD_FIP}]
    via: cloud
    project: ${CLOUD_PROJECT}
    instance: ${facts.name}
    alias: { interface: vio0 }
`,
    platform: `  kind: openbsd
  ifconfig: ${kernel.ifconfigPath}
  sysctl: ${kernel.sysctlPath}
`,
  });
  const runtime = nodeRuntime(files);
  const node: Edge = {
    name: facts.name,
    id: facts.id,
    dir: files.dir,
    kernel,
    configPath: files.configPath,
    stateDir: files.stateDir,
    logFile: files.logFile,
    scriptsDir: files.scriptsDir,
    ...runtime,
    hook: (type, options = {}) => runtime.cli(['hook', 'carp0', type, ...(options.wait === true ? ['--wait'] : [])], { timeoutMs: 150_000 }),
    setState: (state) => kernel.setCarpState('carp0', state),
    aliased: () => kernel.addresses('vio0').includes(CLOUD_FIP),
    demoteCount: () => kernel.demoteCount(),
  };
  world.adopt(node);
  return node;
}

/** The instance OVH routes the failover IP to now. */
export function cloudHolder(world: World): string | null {
  const placement = world.ovh.locate(CLOUD_FIP).find((p) => p.via === 'cloud-failover');
  return placement?.via === 'cloud-failover' ? placement.instanceId : null;
}
