/**
 * The claim of one router run in-process against an OVH simulator: the real
 * config loader, reconcile (lock, guard, demotion), wiring, OVH client and
 * virtual-MAC provider; only the kernel is an in-memory CARP (MASTER on vhid 2
 * of vmx1 with the router's MAC). For matrices of many cells, where a CLI
 * subprocess per cell would spend its time starting up.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.ts';
import type { CarpState, LogPort } from '../../src/core/ports/index.ts';
import { runClaim, type ClaimOutcome } from '../../src/core/reconcile.ts';
import { ovhApiFor, providersFor } from '../../src/cli/wiring/wire.ts';
import { StateDir } from '../../src/state.ts';
import { CA_PATH } from './certs.ts';
import type { OvhSimulator } from './ovh-sim/index.ts';
import { SEED_SERVER, SEED_VIP } from './ovh-sim/state.ts';
import { OVH_APPLICATION_KEY, OVH_APPLICATION_SECRET, OVH_CONSUMER_KEY } from './secrets.ts';
import { memoryPlatform } from './memory-platform.ts';
import { makeTempDir } from './tmp.ts';

export interface InProcessClaim {
  outcome: ClaimOutcome;
  /** net.inet.carp.demotion after the claim. */
  demotion: number;
  logs: Array<Record<string, unknown>>;
}

export interface InProcessOptions {
  mac: string;
  name?: string;
  /** YAML lines under `ovh:` (two spaces), replacing the default tuning. */
  ovhTuning?: string;
  state?: CarpState;
  /** Runs on the state dir before the claim (a journal left by a crashed claim, say). */
  prepareState?: (state: StateDir) => Promise<void>;
}

export const IN_PROCESS_TUNING = `  timeout: 2s
  poll_interval: 20ms
  deadline: 8s
  max_rpm: 6000
  retries: 2`;

function memoryCarp(mac: string, state: CarpState): ReturnType<typeof memoryPlatform> {
  return memoryPlatform((entry) => (entry.interface === 'vmx1' && entry.vhid === 2 ? { state, mac } : { state: 'absent', mac: null }));
}

function memoryLog(lines: Array<Record<string, unknown>>): LogPort {
  const at = (level: string) => (obj: object | string, msg?: string) => {
    lines.push(typeof obj === 'string' ? { level, msg: obj } : { level, ...obj, ...(msg === undefined ? {} : { msg }) });
  };
  return { info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') } as LogPort;
}

export async function claimInProcess(sim: OvhSimulator, options: InProcessOptions): Promise<InProcessClaim> {
  const dir = makeTempDir(`claim-${options.name ?? 'router'}`);
  const configPath = join(dir, 'carp-ovh.yaml');
  writeFileSync(
    configPath,
    `ovh:
  url: ${sim.url}
  ca: ${CA_PATH}
${options.ovhTuning ?? IN_PROCESS_TUNING}
  credentials:
    file: ${join(dir, 'unused-keys.yaml')}
failover:
  - vhid: 2
    interface: vmx1
    addresses: [${SEED_VIP}]
    server: ${SEED_SERVER}
    vm_name: ${options.name ?? 'router-002'}
state_dir: ${join(dir, 'state')}
log:
  syslog: false
`,
  );
  const config = await loadConfig(configPath);
  const carp = memoryCarp(options.mac, options.state ?? 'MASTER');
  const logs: Array<Record<string, unknown>> = [];
  const state = new StateDir(config.stateDir);
  if (options.prepareState !== undefined) {
    await state.ensure();
    await options.prepareState(state);
  }
  const credentials = { applicationKey: OVH_APPLICATION_KEY, applicationSecret: OVH_APPLICATION_SECRET, consumerKey: OVH_CONSUMER_KEY };
  let close = (): void => undefined;
  const outcome = await runClaim(
    {
      config,
      platform: carp,
      state,
      log: memoryLog(logs),
      secrets: async () => ({ description: 'test keys', readOvhCredentials: async () => credentials }),
      providers: async (keys) => {
        const { client, api } = await ovhApiFor(config, keys);
        close = () => client.close();
        return providersFor(config, api, state);
      },
    },
    [{ entry: config.failover[0]!, seq: 1n }],
    'test',
  );
  close();
  return { outcome, demotion: carp.demotion(), logs };
}
