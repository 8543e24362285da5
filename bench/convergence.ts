/**
 * Claim convergence: the real `hook --wait` against the simulator with DELETE and
 * POST each taking D, compared with 2·D (what OVH itself needs) and with the seed
 * script's 1-2-4-8-16 s backoff replayed against the same simulator.
 */
import { CLI_PATH } from '../test/support/cli.ts';
import { seedState } from '../test/support/ovh-sim/state.ts';
import { OVH_APPLICATION_KEY, OVH_APPLICATION_SECRET, OVH_CONSUMER_KEY } from '../test/support/secrets.ts';
import { holdersOf, SEED_MAC_ROUTER_002, SEED_MAC_ROUTER_003, SEED_SERVER, SEED_VIP, startWorld, type World } from '../test/support/world.ts';
import { createOvhClient } from '../src/providers/ovh/client.ts';
import { CA_PATH } from '../test/support/certs.ts';
import { runNode, sleep } from './measure.ts';

/** The product's defaults: 1 s polls, 60 requests/minute, 180 s deadline. */
const DEFAULT_TUNING = '  timeout: 10s';

export interface ConvergenceResult {
  delayMs: number;
  carpOvhMs: number;
  seedBackoffMs: number;
  requests: number;
  maxRpm: number;
}

export async function claimConvergence(delayMs: number): Promise<{ ms: number; requests: number; maxRpm: number }> {
  const world = await startWorld({ label: `bench-converge-${delayMs}`, ovh: { delays: { delete: delayMs, add: delayMs } } });
  try {
    world.ovh.setState(seedState());
    const router = world.router({ name: 'router-002', mac: SEED_MAC_ROUTER_002, ownAddress: '178.32.70.110', state: 'MASTER', ovhExtra: DEFAULT_TUNING });
    world.ovh.clearLog();
    const run = await runNode([CLI_PATH, '--config', router.configPath, 'hook', '2@vmx1', 'MASTER', '--wait']);
    if (run.code !== 0 || holdersOf(world)[0] !== SEED_MAC_ROUTER_002) throw new Error(`claim failed in the benchmark: ${run.stdout}${run.stderr}`);
    const stats = world.ovh.stats();
    return { ms: run.wallMs, requests: stats.total, maxRpm: stats.maxRequestsPerMinute };
  } finally {
    await world.close();
  }
}

/** The seed script (shared/seeds/000): list, DELETE, sleep 1,2,4,8,16… between checks, then POST, same again. */
export async function seedBackoffConvergence(delayMs: number, unitMs = 1000): Promise<number> {
  const world = await startWorld({ label: `bench-seed-${delayMs}`, ovh: { delays: { delete: delayMs, add: delayMs } } });
  try {
    world.ovh.setState(seedState());
    const client = createOvhClient({
      url: world.ovh.url,
      ca: CA_PATH,
      timeoutMs: 10_000,
      credentials: { applicationKey: OVH_APPLICATION_KEY, applicationSecret: OVH_APPLICATION_SECRET, consumerKey: OVH_CONSUMER_KEY },
    });
    const base = `/dedicated/server/${SEED_SERVER}/virtualMac`;
    const list = async (mac: string): Promise<string[]> => (await client.request<string[]>('GET', `${base}/${mac}/virtualAddress`)) ?? [];
    const started = performance.now();
    await list(SEED_MAC_ROUTER_002);
    await list(SEED_MAC_ROUTER_003);
    await client.request('DELETE', `${base}/${SEED_MAC_ROUTER_003}/virtualAddress/${SEED_VIP}`);
    for (let wait = unitMs; (await list(SEED_MAC_ROUTER_003)).includes(SEED_VIP); wait *= 2) await sleep(wait);
    await client.request('POST', `${base}/${SEED_MAC_ROUTER_002}/virtualAddress`, { ipAddress: SEED_VIP, virtualMachineName: 'router-002' });
    for (let wait = unitMs; !(await list(SEED_MAC_ROUTER_002)).includes(SEED_VIP); wait *= 2) await sleep(wait);
    const ms = performance.now() - started;
    client.close?.();
    return ms;
  } finally {
    await world.close();
  }
}

export async function convergence(delayMs: number): Promise<ConvergenceResult> {
  // Side by side: both run at once, each against its own simulator.
  const [ours, seed] = await Promise.all([claimConvergence(delayMs), seedBackoffConvergence(delayMs)]);
  return { delayMs, carpOvhMs: ours.ms, seedBackoffMs: seed, requests: ours.requests, maxRpm: ours.maxRpm };
}

export interface ManyVipsResult {
  vips: number;
  ms: number;
  requests: number;
  maxRpm: number;
  /** Peak RSS of the claiming process. */
  maxRssKb: number | null;
}

/** N VIPs on one vhid, all on the peer's vMAC, moved by one claim under the default 60 requests/minute. */
export async function manyVips(count: number, delayMs: number): Promise<ManyVipsResult> {
  const world: World = await startWorld({ label: `bench-vips-${count}`, ovh: { delays: { delete: delayMs, add: delayMs } } });
  try {
    const vips = Array.from({ length: count }, (_, i) => `51.68.253.${i + 1}`);
    const state = seedState();
    const server = state.dedicated[SEED_SERVER];
    if (server === undefined) throw new Error('seed state without the server');
    for (const vip of vips) {
      const peer = server.virtualMacs[SEED_MAC_ROUTER_003];
      if (peer !== undefined) peer.ips[vip] = 'router-003';
    }
    world.ovh.setState(state);
    const router = world.router({ name: 'router-002', mac: SEED_MAC_ROUTER_002, ownAddress: '178.32.70.110', state: 'MASTER', vips, ovhExtra: DEFAULT_TUNING });
    world.ovh.clearLog();
    const run = await runNode([CLI_PATH, '--config', router.configPath, 'reconcile', '--wait'], { instrument: true });
    const placed = vips.every((vip) => holdersOf(world, vip)[0] === SEED_MAC_ROUTER_002);
    if (run.code !== 0 || !placed) throw new Error(`claim of ${count} VIPs failed: ${run.stdout}${run.stderr.slice(-2000)}`);
    const stats = world.ovh.stats();
    return { vips: count, ms: run.wallMs, requests: stats.total, maxRpm: stats.maxRequestsPerMinute, maxRssKb: run.maxRssKb };
  } finally {
    await world.close();
  }
}
