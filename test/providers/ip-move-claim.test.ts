import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../src/config/load.ts';
import type { CarpState, LogPort, Platform } from '../../src/core/ports/index.ts';
import { runClaim, type ClaimOutcome } from '../../src/core/reconcile.ts';
import { ovhApiFor, providersFor } from '../../src/cli/wiring/wire.ts';
import { StateDir } from '../../src/state.ts';
import { CA_PATH } from '../support/certs.ts';
import { type OvhSimulator, startOvhSimulator } from '../support/ovh-sim/index.ts';
import { OVH_APPLICATION_KEY, OVH_APPLICATION_SECRET, OVH_CONSUMER_KEY } from '../support/secrets.ts';
import { makeTempDir } from '../support/tmp.ts';

/**
 * Two bare-metal routers, each its own dedicated server: the real config
 * (`via: ip-move`), wiring and reconcile (lock, MASTER guard, outcome record,
 * demotion) drive the ip-move provider against the simulator; only the kernel
 * is an in-memory CARP.
 */

const VIP = '203.0.113.100';
const SERVER_A = 'ns-a.ip-1-2-3.eu';
const SERVER_B = 'ns-b.ip-1-2-4.eu';

/** An in-memory FreeBSD-like platform: vhid 1 on ix1, a demotion counter carp-ovh adds its 2^20 share to. */
function memoryCarp(state: () => CarpState): Platform & { demotion: () => number } {
  const share = 2 ** 20;
  let demotion = 0;
  const ours = (): boolean => (Math.trunc(demotion / share) & 1) === 1;
  return {
    kind: 'freebsd',
    entryKey: (entry) => `${entry.vhid}@${entry.interface}`,
    readEntry: async (entry) => (entry.interface === 'ix1' && entry.vhid === 1 ? { state: state(), mac: '0c:c4:7a:00:00:01' } : { state: 'absent', mac: null }),
    readDemotion: async () => ({ value: demotion, ours: ours() }),
    setDemoted: async (on) => {
      if (ours() === on) return { value: demotion, ours: on, changed: false };
      demotion += on ? share : -share;
      return { value: demotion, ours: on, changed: true };
    },
    describeDemotion: () => 'net.inet.carp.demotion',
    doctorChecks: async () => [],
    demotion: () => demotion,
  };
}

const quiet: LogPort = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };

async function claimAs(
  sim: OvhSimulator,
  server: string,
  state: () => CarpState = () => 'MASTER',
  nexthop?: string,
): Promise<{ outcome: ClaimOutcome; demotion: number }> {
  const dir = makeTempDir(`ip-move-${server}`);
  const configPath = join(dir, 'carp-ovh.yaml');
  writeFileSync(
    configPath,
    `ovh:
  url: ${sim.url}
  ca: ${CA_PATH}
  timeout: 5s
  poll_interval: 20ms
  deadline: 20s
  max_rpm: 6000
  retries: 2
  credentials:
    file: ${join(dir, 'unused-keys.yaml')}
failover:
  - vhid: 1
    interface: ix1
    addresses: [${VIP}]
    via: ip-move
    server: ${server}
${nexthop === undefined ? '' : `    nexthop: ${nexthop}\n`}state_dir: ${join(dir, 'state')}
log:
  syslog: false
`,
  );
  const config = await loadConfig(configPath);
  const carp = memoryCarp(state);
  const stateDir = new StateDir(config.stateDir);
  const credentials = { applicationKey: OVH_APPLICATION_KEY, applicationSecret: OVH_APPLICATION_SECRET, consumerKey: OVH_CONSUMER_KEY };
  let close = (): void => undefined;
  const outcome = await runClaim(
    {
      config,
      platform: carp,
      state: stateDir,
      log: quiet,
      secrets: async () => ({ description: 'test keys', readOvhCredentials: async () => credentials }),
      providers: async (keys) => {
        const { client, api } = await ovhApiFor(config, keys);
        close = () => client.close();
        // The wiring picks the provider by via: ip-move, as the hook's worker does.
        return providersFor(config, api, stateDir);
      },
    },
    [{ entry: config.failover[0]!, seq: 1n }],
    'test',
  );
  close();
  return { outcome, demotion: carp.demotion() };
}

function world() {
  return {
    dedicated: { [SERVER_A]: { virtualMacs: {} }, [SERVER_B]: { virtualMacs: {} } },
    ips: { [VIP]: { routedTo: SERVER_A, type: 'failover' } },
    cloud: {},
  };
}

test('failover and back between two bare-metal servers: the VIP follows the MASTER, nothing demoted', async () => {
  const sim = await startOvhSimulator({ state: world(), delays: { move: 50 } });
  try {
    const b = await claimAs(sim, SERVER_B);
    assert.equal(b.outcome.result, 'ok', JSON.stringify(b.outcome));
    assert.deepEqual(
      b.outcome.vhids[0]?.addresses.map((a) => [a.result, a.from]),
      [['moved', SERVER_A]],
    );
    assert.deepEqual(sim.locate(VIP), [{ via: 'ip-move', server: SERVER_B }]);
    assert.equal(b.demotion, 0);

    const again = await claimAs(sim, SERVER_B);
    assert.deepEqual(
      again.outcome.vhids[0]?.addresses.map((a) => a.result),
      ['already-here'],
    );

    const a = await claimAs(sim, SERVER_A);
    assert.equal(a.outcome.result, 'ok');
    assert.deepEqual(sim.locate(VIP), [{ via: 'ip-move', server: SERVER_A }]);
    assert.equal(sim.conflicts, 0);
  } finally {
    await sim.close();
  }
});

test('a claim that cannot succeed (this server not offered) changes nothing at OVH, fails and demotes', async () => {
  const sim = await startOvhSimulator({ state: { ...world(), ips: { [VIP]: { routedTo: SERVER_A, destinations: [SERVER_A] } } } });
  try {
    const b = await claimAs(sim, SERVER_B);
    assert.equal(b.outcome.result, 'failed');
    assert.match(String(b.outcome.error?.message), /ns-b.ip-1-2-4.eu is not a destination OVH offers for 203.0.113.100/);
    assert.deepEqual(
      sim.requests().filter((r) => r.method !== 'GET'),
      [],
    );
    assert.ok(b.demotion > 0);
  } finally {
    await sim.close();
  }
});

test('BACKUP by the time the move would be sent: nothing sent, the claim cancelled, not demoted', async () => {
  const sim = await startOvhSimulator({ state: world() });
  try {
    // MASTER when the claim starts, BACKUP at the re-check before the move.
    let reads = 0;
    const b = await claimAs(sim, SERVER_B, () => (++reads <= 1 ? 'MASTER' : 'BACKUP'));
    assert.equal(b.outcome.result, 'cancelled', JSON.stringify(b.outcome));
    assert.deepEqual(
      sim.requests().filter((r) => r.method !== 'GET'),
      [],
    );
    assert.equal(b.demotion, 0);
  } finally {
    await sim.close();
  }
});

test('nexthop from the config is sent with the move', async () => {
  const sim = await startOvhSimulator({
    state: { ...world(), dedicated: { ...world().dedicated, [SERVER_B]: { virtualMacs: {}, nexthops: ['198.51.100.20'] } } },
  });
  try {
    const b = await claimAs(sim, SERVER_B, () => 'MASTER', '198.51.100.20');
    assert.equal(b.outcome.result, 'ok', JSON.stringify(b.outcome));
    assert.deepEqual(
      sim
        .requests()
        .filter((r) => r.method === 'POST')
        .map((r) => r.body),
      [{ to: SERVER_B, nexthop: '198.51.100.20' }],
    );
  } finally {
    await sim.close();
  }
});
