/**
 * `carp-ovh status` end to end: CARP state, where OVH routes each VIP, the
 * demotion with its reasons, the last claim and check, and an unreachable API
 * shown as unknown within the timeout rather than a hang.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { seedPair, SEED_MAC_ROUTER_002, SEED_MAC_ROUTER_003, SEED_VIP, startWorld, type Router, type World } from '../support/world.ts';
import { assertSchema } from '../doctor/support.ts';

interface StatusJson {
  vhids: Array<{
    vhid: number;
    interface: string;
    state: string;
    mac: string | null;
    addresses: Array<{ address: string; holder: string | null; here: boolean | null; where?: string; error?: string }>;
  }>;
  ovh: { reachable: boolean; error: string | null };
  demotion: { total: number | null; ours: boolean | null; others: number | null; reasons: Record<string, { detail: string }> };
  lastClaim: { result: string } | null;
  lastCheck: { healthy: boolean } | null;
}

async function status(router: Router, extra: string[] = []): Promise<StatusJson> {
  const result = await router.cli(['status', '--json', ...extra]);
  assert.equal(result.code, 0, result.stderr);
  const parsed = JSON.parse(result.stdout) as StatusJson;
  assertSchema('status', parsed);
  return parsed;
}

describe('status', () => {
  let world: World;
  let r002: Router;
  let r003: Router;
  before(async () => {
    world = await startWorld({ label: 'status' });
    ({ r002, r003 } = seedPair(world));
  });
  after(() => world.close());

  test('each vhid with its CARP state and where OVH routes its VIPs, on both routers', async () => {
    const master = await status(r003);
    assert.deepEqual(master.vhids, [
      {
        vhid: 2,
        interface: 'vmx1',
        state: 'MASTER',
        mac: SEED_MAC_ROUTER_003,
        addresses: [{ address: SEED_VIP, holder: SEED_MAC_ROUTER_003, here: true, where: `vMAC ${SEED_MAC_ROUTER_003}` }],
      },
    ]);
    assert.equal(master.ovh.reachable, true);
    assert.deepEqual(master.demotion, { total: 0, bit: 1048576, ours: false, others: 0, reasons: {} });
    assert.equal(master.lastClaim, null);
    assert.equal(master.lastCheck, null);

    const backup = await status(r002);
    assert.equal(backup.vhids[0]?.state, 'BACKUP');
    assert.deepEqual(backup.vhids[0]?.addresses, [{ address: SEED_VIP, holder: SEED_MAC_ROUTER_003, here: false, where: `vMAC ${SEED_MAC_ROUTER_003}` }]);
  });

  test('after a claim and a check: the last claim, the last check, our demotion bit with its reasons', async () => {
    r002.setState('MASTER');
    r003.setState('BACKUP');
    try {
      const claimed = await r002.hook('MASTER', { wait: true });
      assert.equal(claimed.code, 0, claimed.stderr);
      mkdirSync(r002.stateDir, { recursive: true });
      writeFileSync(
        join(r002.stateDir, 'last-check.json'),
        JSON.stringify({
          at: new Date().toISOString(),
          healthy: false,
          durationMs: 30,
          probes: [{ name: 'vault', ok: false, detail: 'Vault is sealed', durationMs: 10 }],
          demotion: null,
        }),
      );
      writeFileSync(
        join(r002.stateDir, 'demotion.json'),
        JSON.stringify({ reasons: { vault: { since: new Date().toISOString(), detail: 'Vault is sealed', by: 'check' } } }),
      );
      r002.kernel.setSysctl('net.inet.carp.demotion', 1048576);

      const report = await status(r002);
      assert.deepEqual(report.vhids[0]?.addresses, [{ address: SEED_VIP, holder: SEED_MAC_ROUTER_002, here: true, where: `vMAC ${SEED_MAC_ROUTER_002}` }]);
      assert.equal(report.lastClaim?.result, 'ok');
      assert.equal(report.lastCheck?.healthy, false);
      assert.equal(report.demotion.ours, true);
      assert.equal(report.demotion.reasons.vault?.detail, 'Vault is sealed');

      const human = await r002.cli(['status']);
      assert.equal(human.code, 0);
      for (const line of human.stdout.split('\n')) assert.ok(line.length <= 80, `longer than 80 columns: ${JSON.stringify(line)}`);
      assert.match(human.stdout, /^2@vmx1: MASTER, MAC 00:50:56:09:3c:f2$/m);
      assert.match(human.stdout, new RegExp(`^  ${SEED_VIP.replaceAll('.', '\\.')}  on this router \\(vMAC ${SEED_MAC_ROUTER_002}\\)$`, 'm'));
      assert.match(human.stdout, /^demotion: {3}1048576 total, our bit \(1048576\) set: vault \(Vault is sealed\)$/m);
      assert.match(human.stdout, /^last claim: hook 2@vmx1 MASTER .*: ok in /m);
      assert.match(human.stdout.replace(/\n {12}/g, ' '), /^last check: .*unhealthy: vault \(Vault is sealed\)$/m);
    } finally {
      r002.setState('BACKUP');
      r003.setState('MASTER');
      r002.kernel.setSysctl('net.inet.carp.demotion', 0);
    }
  });

  test('an OVH API that never answers: the VIPs are unknown within --timeout, exit 0', async () => {
    const fault = world.ovh.addFault({ path: '/*', action: { type: 'stall' } });
    try {
      const started = Date.now();
      const result = await r003.cli(['status', '--timeout', '400ms']);
      const took = Date.now() - started;
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, new RegExp(`${SEED_VIP.replaceAll('.', '\\.')}  unknown: API unreachable`));
      assert.match(result.stdout, /^2@vmx1: MASTER/m);
      // A stalled API would hold status forever; its --timeout ends it. The bound holds on a loaded machine.
      assert.ok(took < 20_000, `status took ${took} ms`);

      const report = await status(r003, ['--timeout', '400ms']);
      assert.equal(report.ovh.reachable, false);
      assert.equal(report.vhids[0]?.addresses[0]?.holder, null);
      assert.equal(report.vhids[0]?.addresses[0]?.here, null);
    } finally {
      world.ovh.removeFault(fault);
    }
  });

  test('Vault down: the VIPs are unknown for want of credentials', async () => {
    world.vault.seal();
    try {
      const report = await status(r003);
      assert.equal(report.ovh.reachable, false);
      assert.match(report.vhids[0]?.addresses[0]?.error ?? '', /no OVH credentials: .*sealed/);
    } finally {
      world.vault.unseal();
    }
  });

  test('bad arguments are usage errors', async () => {
    assert.equal((await r003.cli(['status', '--timeout', 'soon'])).code, 2);
    assert.equal((await r003.cli(['status', 'now'])).code, 2);
  });
});
