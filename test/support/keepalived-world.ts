/**
 * Two Linux routers running real keepalived (test/support/keepalived-pair.ts)
 * with carp-ovh wired in exactly as `carp-ovh install` wires it: keepalived.conf
 * includes the two snippets install writes, so keepalived's own `notify` runs
 * `carp-ovh hook` and its `track_file` watches carp-ovh's demotion.
 *
 * carp-ovh runs in the test's own network namespace, where the OVH and Vault
 * simulators listen on loopback: the `node` of the notify line is a wrapper that
 * re-enters that namespace (nsenter) before running node, and `platform.ip` is a
 * wrapper running `ip -n <router's namespace>`. So no traffic leaves the machine
 * and every address used is inside the namespaces the pair created.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { instanceSnippet, topLevelSnippet } from '../../src/platform/keepalived/snippet.ts';
import { CA_PATH } from './certs.ts';
import { CLI_PATH, runCli, type CliResult } from './cli.ts';
import { createKeepalivedPair, NSENTER, PAIR_INSTANCE, PAIR_VIP, type KeepalivedNode, type KeepalivedPair } from './keepalived-pair.ts';
import { startLink, type Link } from './link.ts';
import { startOvhSimulator, type OvhSimulator } from './ovh-sim/index.ts';
import { VAULT_ROLE_ID, VAULT_SECRET_ID } from './secrets.ts';
import { makeTempDir } from './tmp.ts';
import { startVaultSimulator, type VaultSimulator } from './vault-sim/index.ts';

export const KA_SERVER = 'ns3000000.ip-1-2-3.eu';
/** The routers' NIC MACs, each a virtual MAC of KA_SERVER at the simulated OVH. */
export const KA_MAC_A = '00:50:56:09:98:fc';
export const KA_MAC_B = '00:50:56:09:3c:f2';
/** Each router's own failover IP at OVH (TEST-NET-2, never used on a link). */
export const KA_OWN_A = '198.51.100.2';
export const KA_OWN_B = '198.51.100.3';

export interface KeepalivedRouter {
  name: 'a' | 'b';
  mac: string;
  node: KeepalivedNode;
  configPath: string;
  stateDir: string;
  logFile: string;
  /** Cuts this router's way to Vault (connections black-holed), and restores it. */
  vaultLink: Link;
  cli(args: string[], options?: { timeoutMs?: number }): Promise<CliResult>;
  logLines(): Array<Record<string, unknown>>;
  trackValue(): string | null;
}

export interface KeepalivedWorld {
  ovh: OvhSimulator;
  vault: VaultSimulator;
  pair: KeepalivedPair;
  a: KeepalivedRouter;
  b: KeepalivedRouter;
  /** The vMAC(s) OVH routes the VIP to right now. */
  holders(): string[];
  close(): Promise<void>;
}

export interface KeepalivedWorldOptions {
  /** OVH's task delay for each step (ms); the seed saw about 30 s. */
  ovhDelayMs?: number;
  label?: string;
}

function ovhState(): Parameters<typeof startOvhSimulator>[0] {
  return {
    state: {
      dedicated: {
        [KA_SERVER]: {
          virtualMacs: {
            // The VIP starts on b's vMAC: a's first MASTER must really move it. Each vMAC also
            // carries its router's own address, as OVH deletes a vMAC with its last IP.
            [KA_MAC_A]: { type: 'vmware', ips: { [KA_OWN_A]: 'router-a' } },
            [KA_MAC_B]: { type: 'vmware', ips: { [PAIR_VIP]: 'router-b', [KA_OWN_B]: 'router-b' } },
          },
        },
      },
      ips: {
        [PAIR_VIP]: { routedTo: KA_SERVER, type: 'failover' },
        [KA_OWN_A]: { routedTo: KA_SERVER, type: 'failover' },
        [KA_OWN_B]: { routedTo: KA_SERVER, type: 'failover' },
      },
      cloud: {},
    },
  };
}

function writeExecutable(path: string, text: string): void {
  writeFileSync(path, text);
  chmodSync(path, 0o755);
}

export async function startKeepalivedWorld(options: KeepalivedWorldOptions = {}): Promise<KeepalivedWorld> {
  if (NSENTER === null) throw new Error('nsenter is needed to run carp-ovh in the test namespace');
  const delay = options.ovhDelayMs ?? 40;
  const ovh = await startOvhSimulator({ ...ovhState(), delays: { delete: delay, add: delay, createMac: delay, move: delay, attach: delay } });
  const vault = await startVaultSimulator({});
  const links: Link[] = [];
  let pair: KeepalivedPair | undefined;
  try {
    const root = makeTempDir(options.label ?? 'keepalived-world');
    chmodSync(root, 0o755);
    // keepalived runs notify programs in the router's namespace; this one goes back to ours first.
    const nodeInRootNs = join(root, 'node-in-test-netns');
    writeExecutable(nodeInRootNs, `#!/bin/sh\nexec ${NSENTER} --net=/proc/${process.pid}/ns/net -- ${process.execPath} "$@"\n`);

    const routers: Partial<Record<'a' | 'b', { dir: string; configPath: string; stateDir: string; logFile: string; link: Link }>> = {};
    const specs = { a: { mac: KA_MAC_A, address: '192.0.2.1' }, b: { mac: KA_MAC_B, address: '192.0.2.2' } } as const;
    for (const name of ['a', 'b'] as const) {
      const dir = join(root, `router-${name}`);
      mkdirSync(dir, { recursive: true, mode: 0o755 });
      const link = await startLink(vault.port);
      links.push(link);
      routers[name] = { dir, configPath: join(dir, 'carp-ovh.yaml'), stateDir: join(dir, 'state'), logFile: join(dir, 'carp-ovh.log'), link };
    }

    // Equal priorities: a restarted router stays BACKUP behind a healthy MASTER, so only the
    // track file can move the VIP back; the snippet's weight takes a demoted router to priority 1.
    pair = createKeepalivedPair({
      a: { name: 'a', priority: 100, mac: specs.a.mac, address: specs.a.address, includes: true },
      b: { name: 'b', priority: 100, mac: specs.b.mac, address: specs.b.address, includes: true },
      weight: -253,
      label: options.label ?? 'keepalived-world',
    });

    const made: Partial<Record<'a' | 'b', KeepalivedRouter>> = {};
    for (const name of ['a', 'b'] as const) {
      const r = routers[name];
      const node = pair[name];
      if (r === undefined) throw new Error('router dir missing');
      const snippet = { node: nodeInRootNs, cli: CLI_PATH, configArg: `--config ${r.configPath}`, trackFile: node.trackFile, share: 1 };
      writeFileSync(node.includeTop, topLevelSnippet(snippet));
      writeFileSync(node.includeInstance, instanceSnippet(snippet));
      const secretsmith = join(r.dir, 'carp-secretsmith.yaml');
      writeFileSync(
        secretsmith,
        `vault:\n  server: { url: ${r.link.url('https')}, verify: ${CA_PATH} }\n  auth: { method: approle, role_id: "${VAULT_ROLE_ID}", secret_id: "${VAULT_SECRET_ID}" }\n`,
        { mode: 0o600 },
      );
      const scripts = join(r.dir, 'service-status.d');
      mkdirSync(scripts, { recursive: true });
      writeFileSync(
        r.configPath,
        `ovh:
  url: ${ovh.url}
  ca: ${CA_PATH}
  timeout: 2s
  poll_interval: 20ms
  deadline: 20s
  max_rpm: 6000
  retries: 2
  credentials:
    vault:
      config: ${secretsmith}
      mount: apps
      path: network/carp-hyper-001-switch
      timeout: 2s
failover:
  - vrrp_instance: ${PAIR_INSTANCE}
    interface: ${node.iface}
    addresses: [${PAIR_VIP}]
    server: ${KA_SERVER}
    vm_name: router-${name}
platform:
  kind: keepalived
  ip: ${node.ipWrapper}
  track_file: ${node.trackFile}
health:
  scripts: ${scripts}
  claim_hold: 2s
state_dir: ${r.stateDir}
log:
  level: debug
  syslog: false
  file: ${r.logFile}
`,
      );
      made[name] = {
        name,
        mac: specs[name].mac,
        node,
        configPath: r.configPath,
        stateDir: r.stateDir,
        logFile: r.logFile,
        vaultLink: r.link,
        cli: (args, cliOptions = {}) => runCli(['--config', r.configPath, ...args], { captureDir: r.dir, timeoutMs: cliOptions.timeoutMs }),
        logLines: () =>
          existsSync(r.logFile)
            ? readFileSync(r.logFile, 'utf8')
                .split('\n')
                .filter((line) => line.startsWith('{'))
                .map((line) => JSON.parse(line) as Record<string, unknown>)
            : [],
        trackValue: () => (existsSync(node.trackFile) ? readFileSync(node.trackFile, 'utf8').trim() : null),
      };
    }
    const a = made.a as KeepalivedRouter;
    const b = made.b as KeepalivedRouter;
    const builtPair = pair;
    return {
      ovh,
      vault,
      pair: builtPair,
      a,
      b,
      holders: () => ovh.locate(PAIR_VIP).flatMap((p) => (p.via === 'virtual-mac' ? [p.mac] : [])),
      async close() {
        await builtPair.close();
        await Promise.all(links.map((link) => link.close()));
        await Promise.all([ovh.close(), vault.close()]);
      },
    };
  } catch (error) {
    await pair?.close();
    await Promise.all(links.map((link) => link.close()));
    await Promise.all([ovh.close(), vault.close()]);
    throw error;
  }
}
