/**
 * `carp-ovh doctor` end to end: the real CLI against the OVH and Vault stand-ins
 * and a fake FreeBSD kernel, on a setup installed with `install --root`. Each
 * broken setup must fail exactly the check that names it, and nothing else.
 */
import assert from 'node:assert/strict';
import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { grantAll, seedState } from '../support/ovh-sim/index.ts';
import { notAVirtualMacFix } from '../../src/providers/ovh/vmac-preflight.ts';
import { OVH_CONSUMER_KEY } from '../support/secrets.ts';
import { makeTempDir } from '../support/tmp.ts';
import { seedPair, SEED_MAC_ROUTER_002, SEED_MAC_ROUTER_003, SEED_SERVER, SEED_VIP, startWorld, type Router, type World } from '../support/world.ts';
import { checkOf, doctorJson, failing, writeHealthyCheck } from './support.ts';

describe('doctor', () => {
  let world: World;
  let r002: Router;
  let r003: Router;
  let root002: string;
  let root003: string;
  const doctor = async (router: Router, root: string, options: { env?: NodeJS.ProcessEnv } = {}) => {
    const result = await router.cli(['doctor', '--json', '--root', root], options);
    return { result, report: doctorJson(result) };
  };

  before(async () => {
    world = await startWorld({ label: 'doctor' });
    ({ r002, r003 } = seedPair(world));
    root002 = makeTempDir('doctor-root-002');
    root003 = makeTempDir('doctor-root-003');
    for (const [router, root] of [
      [r002, root002],
      [r003, root003],
    ] as const) {
      const installed = await router.cli(['install', '--root', root]);
      assert.equal(installed.code, 0, installed.stderr);
      writeHealthyCheck(router);
    }
  });
  after(() => world.close());

  test('a healthy pair: every check passes on both routers, exit 0', async () => {
    for (const router of [r003, r002]) {
      const { result, report } = await doctor(router, router === r003 ? root003 : root002);
      const notPassing = report.checks.filter((c) => c.status !== 'pass').map((c) => `${c.id}: ${c.status} ${c.detail}`);
      assert.deepEqual(notPassing, [], result.stdout);
      assert.equal(result.code, 0);
      assert.equal(report.ok, true);
    }
    const { report } = await doctor(r002, root002);
    assert.match(checkOf(report, `placement.vip:${SEED_VIP}`).detail, new RegExp(`on ${SEED_MAC_ROUTER_003} \\(the peer\\), and 2@vmx1 is BACKUP here`));
    assert.match(checkOf(report, `placement.peer-vmac:${SEED_MAC_ROUTER_003}`).detail, /also holds 178\.32\.70\.111/);
  });

  test('human output: 80 columns, no colour off a terminal, the fix under each problem, exit 1 on a FAIL', async () => {
    r003.kernel.setSysctl('net.inet.carp.preempt', 0);
    try {
      const result = await r003.cli(['doctor', '--root', root003]);
      assert.equal(result.code, 1);
      const lines = result.stdout.split('\n');
      for (const line of lines) assert.ok(line.length <= 80, `longer than 80 columns: ${JSON.stringify(line)}`);
      assert.doesNotMatch(result.stdout, /\u001b\[/);
      const at = lines.findIndex((line) => line.startsWith('FAIL  net.inet.carp.preempt: is 0'));
      assert.ok(at >= 0, result.stdout);
      const entry = lines
        .slice(at, at + 6)
        .join(' ')
        .replace(/\s+/g, ' ');
      assert.match(entry, /demoted MASTER keeps the VIP/);
      assert.match(entry, /fix: run sysctl net\.inet\.carp\.preempt=1/);
      assert.match(result.stdout, /1 FAIL: \d+ pass, 0 warn, 1 fail, 0 not run\n$/);
    } finally {
      r003.kernel.setSysctl('net.inet.carp.preempt', 1);
    }
  });

  test('net.inet.carp.preempt=0 fails sysctl.preempt, explaining why', async () => {
    r003.kernel.setSysctl('net.inet.carp.preempt', 0);
    try {
      const { result, report } = await doctor(r003, root003);
      assert.equal(result.code, 1);
      assert.deepEqual(failing(report), ['sysctl.preempt']);
      assert.match(checkOf(report, 'sysctl.preempt').detail, /without preemption a demoted MASTER keeps the VIP/);
    } finally {
      r003.kernel.setSysctl('net.inet.carp.preempt', 1);
    }
  });

  test('net.inet.carp.log=0 warns', async () => {
    r003.kernel.setSysctl('net.inet.carp.log', 0);
    try {
      const { result, report } = await doctor(r003, root003);
      assert.equal(result.code, 0);
      assert.equal(checkOf(report, 'sysctl.log').status, 'warn');
    } finally {
      r003.kernel.setSysctl('net.inet.carp.log', 1);
    }
  });

  test('no devd rule fails install.devd; an empty root fails the timer too', async () => {
    const rule = join(root003, 'usr/local/etc/devd/carp-ovh.conf');
    const saved = (await import('node:fs')).readFileSync(rule, 'utf8');
    rmSync(rule);
    try {
      const { report } = await doctor(r003, root003);
      assert.deepEqual(failing(report), ['install.devd']);
      assert.equal(checkOf(report, 'install.devd-priority').status, 'skip');
      assert.match(checkOf(report, 'install.devd').fix ?? '', /carp-ovh install, then service devd restart/);
    } finally {
      writeFileSync(rule, saved);
    }
    const { report } = await doctor(r003, makeTempDir('doctor-empty-root'));
    assert.deepEqual(failing(report), ['install.devd', 'install.timer']);
  });

  test('another CARP rule at a higher priority fails install.devd-priority; a lower one warns; one for another vhid is ignored', async () => {
    const other = join(root003, 'usr/local/etc/devd/carp.conf');
    const write = (priority: number, subsystem: string) =>
      writeFileSync(
        other,
        `# the seed's test rule\nnotify ${priority} {\n\tmatch "system" "CARP";\n\tmatch "subsystem" "${subsystem}";\n` +
          '\tmatch "type" "(MASTER|BACKUP)";\n\taction "/usr/local/scripts/carp-test.sh $subsystem $type";\n};\n',
      );
    try {
      write(200, '[0-9]+@[0-9a-z.]+');
      let { report } = await doctor(r003, root003);
      assert.deepEqual(failing(report), ['install.devd-priority']);
      assert.match(checkOf(report, 'install.devd-priority').detail, /carp\.conf \(priority 200\).*devd runs only the highest-priority match/);

      write(0, '[0-9]+@[0-9a-z.]+');
      ({ report } = await doctor(r003, root003));
      assert.deepEqual(failing(report), []);
      assert.equal(checkOf(report, 'install.devd-priority').status, 'warn');
      assert.match(checkOf(report, 'install.devd-priority').detail, /no longer runs/);

      write(300, '1@em0');
      ({ report } = await doctor(r003, root003));
      assert.equal(checkOf(report, 'install.devd-priority').status, 'pass');
    } finally {
      rmSync(other, { force: true });
    }
  });

  test('a secretsmith file readable by others fails its mode check', async () => {
    const secretsmith = join(r003.dir, 'carp-secretsmith.yaml');
    chmodSync(secretsmith, 0o644);
    try {
      const { report } = await doctor(r003, root003);
      assert.deepEqual(failing(report), [`secrets.mode:${secretsmith}`]);
      assert.match(checkOf(report, `secrets.mode:${secretsmith}`).fix ?? '', /chmod 600/);
    } finally {
      chmodSync(secretsmith, 0o600);
    }
  });

  test('a clock 200 s off fails ovh.clock; 30 s off warns', async () => {
    try {
      world.ovh.setClockOffset(200);
      let { report } = await doctor(r003, root003);
      assert.deepEqual(failing(report), ['ovh.clock']);
      // /auth/time has a resolution of one second, and the answer takes time under load.
      assert.match(checkOf(report, 'ovh.clock').detail, /\b(199|200|201)s behind/);
      world.ovh.setClockOffset(-30);
      ({ report } = await doctor(r003, root003));
      assert.deepEqual(failing(report), []);
      assert.equal(checkOf(report, 'ovh.clock').status, 'warn');
    } finally {
      world.ovh.setClockOffset(0);
    }
  });

  test('a consumer key without POST/DELETE fails ovh.grants and names the rules to add', async () => {
    try {
      world.ovh.setConsumer(OVH_CONSUMER_KEY, { rules: [{ method: 'GET', path: '/dedicated/server/*' }], status: 'validated', expiration: null });
      const { report } = await doctor(r003, root003);
      assert.deepEqual(failing(report), ['ovh.grants']);
      const grants = checkOf(report, 'ovh.grants');
      assert.match(grants.detail, /POST \/dedicated\/server\/\*\/virtualMac\/\*, DELETE \/dedicated\/server\/\*\/virtualMac\/\*/);
      assert.match(grants.fix ?? '', /POST \/dedicated\/server\/\*\/virtualMac\/\*/);
    } finally {
      world.ovh.setConsumer(OVH_CONSUMER_KEY, grantAll());
    }
  });

  test('a consumer key without the reads: NOT_GRANTED_CALL on the GET names GET /dedicated/server/*', async () => {
    try {
      world.ovh.setConsumer(OVH_CONSUMER_KEY, {
        rules: [
          { method: 'POST', path: '/dedicated/server/*/virtualMac/*' },
          { method: 'DELETE', path: '/dedicated/server/*/virtualMac/*' },
        ],
        status: 'validated',
        expiration: null,
      });
      const { report } = await doctor(r003, root003);
      assert.deepEqual(failing(report), ['ovh.grants', `ovh.read:${SEED_SERVER}`]);
      const read = checkOf(report, `ovh.read:${SEED_SERVER}`);
      assert.match(read.detail, /NOT_GRANTED_CALL/);
      assert.match(read.fix ?? '', /GET \/dedicated\/server\/\*/);
      assert.equal(checkOf(report, `placement.vip:${SEED_VIP}`).status, 'skip');
    } finally {
      world.ovh.setConsumer(OVH_CONSUMER_KEY, grantAll());
    }
  });

  test("a vMAC holding only the VIP: our own fails on the MASTER, the peer's on the BACKUP", async () => {
    const state = seedState();
    const vmacs = state.dedicated[SEED_SERVER]?.virtualMacs ?? {};
    vmacs[SEED_MAC_ROUTER_003] = { type: 'vmware', ips: { [SEED_VIP]: 'router-003' } };
    world.ovh.setState(state);
    try {
      let { report } = await doctor(r003, root003);
      assert.deepEqual(failing(report), ['placement.own-vmac:2@vmx1']);
      assert.match(checkOf(report, 'placement.own-vmac:2@vmx1').detail, /OVH deletes a vMAC with its last IP/);
      ({ report } = await doctor(r002, root002));
      assert.deepEqual(failing(report), [`placement.peer-vmac:${SEED_MAC_ROUTER_003}`]);
    } finally {
      world.ovh.setState(seedState());
    }
  });

  test('our MAC not a vMAC of the server: placement.own-vmac fails with the fix the claim gives', async () => {
    const state = seedState();
    const vmacs = state.dedicated[SEED_SERVER]?.virtualMacs ?? {};
    // router-003's NIC keeps its MAC, but OVH no longer lists it as a vMAC (the VIP and its own IP moved elsewhere).
    vmacs['02:00:00:0a:00:99'] = { type: 'ovh', ips: { ...(vmacs[SEED_MAC_ROUTER_003]?.ips ?? {}) } };
    delete vmacs[SEED_MAC_ROUTER_003];
    world.ovh.setState(state);
    try {
      const { report } = await doctor(r003, root003);
      const own = checkOf(report, 'placement.own-vmac:2@vmx1');
      assert.equal(own.status, 'fail');
      assert.match(own.detail, new RegExp(`${SEED_MAC_ROUTER_003} is not a virtual MAC of ${SEED_SERVER}`));
      assert.equal(own.fix, notAVirtualMacFix(SEED_SERVER));
    } finally {
      world.ovh.setState(seedState());
    }
  });

  test('the VIP on the BACKUP router fails its placement check there', async () => {
    const state = seedState();
    const vmacs = state.dedicated[SEED_SERVER]?.virtualMacs ?? {};
    vmacs[SEED_MAC_ROUTER_002] = { type: 'vmware', ips: { '178.32.70.110': 'router-002', [SEED_VIP]: 'router-002' } };
    vmacs[SEED_MAC_ROUTER_003] = { type: 'vmware', ips: { '178.32.70.111': 'router-003' } };
    world.ovh.setState(state);
    try {
      let { report } = await doctor(r002, root002);
      assert.deepEqual(failing(report), [`placement.vip:${SEED_VIP}`]);
      assert.match(checkOf(report, `placement.vip:${SEED_VIP}`).detail, /is BACKUP here/);
      ({ report } = await doctor(r003, root003));
      assert.deepEqual(failing(report), [`placement.vip:${SEED_VIP}`]);
      assert.match(checkOf(report, `placement.vip:${SEED_VIP}`).detail, /MASTER here: traffic goes to the BACKUP/);
    } finally {
      world.ovh.setState(seedState());
    }
  });

  test('Vault sealed fails vault.reachable; what needs the keys is not run', async () => {
    world.vault.seal();
    try {
      const { result, report } = await doctor(r003, root003);
      assert.equal(result.code, 1);
      assert.deepEqual(failing(report), ['vault.reachable']);
      assert.match(checkOf(report, 'vault.reachable').detail, /sealed/);
      for (const id of ['vault.login', 'vault.read', 'ovh.clock', 'ovh.grants', `placement.vip:${SEED_VIP}`])
        assert.equal(checkOf(report, id).status, 'skip', id);
    } finally {
      world.vault.unseal();
    }
  });

  test('NODE_TLS_REJECT_UNAUTHORIZED=0 in the environment fails env.tls', async () => {
    const { report } = await doctor(r003, root003, { env: { NODE_TLS_REJECT_UNAUTHORIZED: '0', NODE_NO_WARNINGS: '1' } });
    assert.deepEqual(failing(report), ['env.tls']);
  });

  test('demotion and a failed claim are reported with our bit and its reasons', async () => {
    writeFileSync(join(r003.stateDir, 'demotion.json'), JSON.stringify({ reasons: { vault: { since: '2026-04-01T13:59:33Z', detail: 'Vault is sealed' } } }));
    writeFileSync(
      join(r003.stateDir, 'last-claim.json'),
      JSON.stringify({
        at: new Date().toISOString(),
        trigger: 'hook 2@vmx1 MASTER',
        pid: 1,
        result: 'failed',
        durationMs: 1200,
        vhids: [],
        error: { message: 'OVH answered 503' },
      }),
    );
    r003.kernel.setSysctl('net.inet.carp.demotion', 1048576 + 240);
    try {
      const { result, report } = await doctor(r003, root003);
      assert.equal(result.code, 0);
      const demotion = checkOf(report, 'history.demotion');
      assert.equal(demotion.status, 'warn');
      assert.match(demotion.detail, /total 1048816; ours \(1048576\) is set for vault \(Vault is sealed\); 240 from elsewhere/);
      const claim = checkOf(report, 'history.last-claim');
      assert.equal(claim.status, 'warn');
      assert.match(claim.detail, /hook 2@vmx1 MASTER .*: failed in 1\.20s: OVH answered 503/);
    } finally {
      rmSync(join(r003.stateDir, 'demotion.json'));
      rmSync(join(r003.stateDir, 'last-claim.json'));
      r003.kernel.setSysctl('net.inet.carp.demotion', 0);
    }
  });

  test('an invalid config is a FAIL line naming the file and line, exit 2', async () => {
    const dir = makeTempDir('doctor-bad-config');
    const path = join(dir, 'carp-ovh.yaml');
    writeFileSync(path, 'ovh:\n  endpoint: ovh-eu\nfailover: []\n');
    const { runCli } = await import('../support/cli.ts');
    const result = await runCli(['--config', path, 'doctor', '--json'], { captureDir: dir });
    assert.equal(result.code, 2);
    const report = doctorJson(result);
    assert.deepEqual(failing(report), ['config']);
    assert.match(checkOf(report, 'config').detail, new RegExp(`${path}:\\d+:`));
  });
});
