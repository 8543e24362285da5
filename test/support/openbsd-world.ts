/**
 * OpenBSD edge instances on OVH Public Cloud for end-to-end tests and the demo:
 * a fake OpenBSD kernel (carp0 on vio2, the failover IP aliased on vio0), a config
 * with `platform.kind: openbsd` and a `via: cloud` entry, a state dir, and the real
 * CLI run as a subprocess, the way ifstated's `run` lines run it.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CA_PATH } from './certs.ts';
import { runCli, type CliResult } from './cli.ts';
import { createFakeOpenBsd, edgeInstance, type FakeOpenBsd, type ObsdCarpState } from './fake-openbsd/index.ts';
import type { SimState } from './ovh-sim/index.ts';
import { VAULT_ROLE_ID, VAULT_SECRET_ID } from './secrets.ts';
import { DEFAULT_OVH_TUNING, type World } from './world.ts';

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
  cli(args: string[], options?: { timeoutMs?: number; env?: NodeJS.ProcessEnv }): Promise<CliResult>;
  /** ifstated's run line for this state: `hook carp0 MASTER|BACKUP`. */
  hook(type: string, options?: { wait?: boolean }): Promise<CliResult>;
  setState(state: ObsdCarpState): void;
  aliased(): boolean;
  demoteCount(): number;
  logLines(): Array<Record<string, unknown>>;
  lastClaim(): Record<string, unknown> | null;
}

export function edge(world: World, spec: EdgeSpec): Edge {
  const facts = EDGES[spec.index];
  let dir = join(world.dir, facts.name);
  for (let n = 2; existsSync(dir); n++) dir = join(world.dir, `${facts.name}-${n}`);
  mkdirSync(dir, { recursive: true });
  const kernel = createFakeOpenBsd(join(dir, 'kernel'), {
    interfaces: edgeInstance({
      carpState: spec.state,
      advskew: facts.advskew,
      vio0: { lladdr: facts.vio0, address: facts.address },
      vio2: { lladdr: facts.vio2, address: `10.25.0.${spec.index + 1}` },
    }),
  });
  const secretsmith = join(dir, 'carp-secretsmith.yaml');
  writeFileSync(
    secretsmith,
    `vault:\n  server: { url: ${spec.vaultUrl ?? world.vault.url}, verify: ${CA_PATH} }\n  auth: { method: approle, role_id: "${VAULT_ROLE_ID}", secret_id: "${VAULT_SECRET_ID}" }\n`,
    { mode: 0o600 },
  );
  const stateDir = join(dir, 'state');
  const logFile = join(dir, 'carp-ovh.log');
  const scripts = join(dir, 'service-status.d');
  mkdirSync(scripts, { recursive: true });
  const configPath = join(dir, 'carp-ovh.yaml');
  writeFileSync(
    configPath,
    `ovh:
  url: ${world.ovh.url}
  ca: ${CA_PATH}
${spec.ovhExtra ?? DEFAULT_OVH_TUNING}
  credentials:
    vault:
      config: ${secretsmith}
      mount: apps
      path: network/carp-hyper-001-switch
      timeout: 30s
failover:
  - interface: carp0
    addresses: [${CLOUD_FIP}]
    via: cloud
    project: ${CLOUD_PROJECT}
    instance: ${facts.name}
    alias: { interface: vio0 }
platform:
  kind: openbsd
  ifconfig: ${kernel.ifconfigPath}
  sysctl: ${kernel.sysctlPath}
health:
  scripts: ${scripts}
  claim_hold: 2s
state_dir: ${stateDir}
log:
  level: debug
  syslog: false
  file: ${logFile}
`,
  );
  const cli = (args: string[], options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> =>
    runCli(['--config', configPath, ...args], { captureDir: dir, timeoutMs: options.timeoutMs, env: options.env });
  const read = (name: string): Record<string, unknown> | null => {
    const path = join(stateDir, name);
    if (!existsSync(path)) return null;
    try {
      return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    } catch {
      return null;
    }
  };
  return {
    name: facts.name,
    id: facts.id,
    dir,
    kernel,
    configPath,
    stateDir,
    logFile,
    cli,
    hook: (type, options = {}) => cli(['hook', 'carp0', type, ...(options.wait === true ? ['--wait'] : [])], { timeoutMs: 150_000 }),
    setState: (state) => kernel.setCarpState('carp0', state),
    aliased: () => kernel.addresses('vio0').includes(CLOUD_FIP),
    demoteCount: () => kernel.demoteCount(),
    logLines: () =>
      existsSync(logFile)
        ? readFileSync(logFile, 'utf8')
            .split('\n')
            .filter((line) => line !== '')
            .map((line) => JSON.parse(line) as Record<string, unknown>)
        : [],
    lastClaim: () => read('last-claim.json'),
  };
}

/** The instance OVH routes the failover IP to now. */
export function cloudHolder(world: World): string | null {
  const placement = world.ovh.locate(CLOUD_FIP).find((p) => p.via === 'cloud-failover');
  return placement?.via === 'cloud-failover' ? placement.instanceId : null;
}
