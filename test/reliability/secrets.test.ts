/**
 * Secrets: never in a child's argv or environment (ifconfig, sysctl, logger,
 * service scripts, the detached worker), nor in what goes to syslog; TLS
 * verification that the environment cannot turn off; loose secret file modes
 * and NODE_TLS_REJECT_UNAUTHORIZED=0 reported.
 */
import assert from 'node:assert/strict';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startOvhSimulator, type OvhSimulator } from '../support/ovh-sim/index.ts';
import { seedState } from '../support/ovh-sim/state.ts';
import { procSnapshot, spyOn } from '../support/reliability-spy.ts';
import { OVH_APPLICATION_KEY, OVH_APPLICATION_SECRET, OVH_CONSUMER_KEY, SECRET_MARKERS } from '../support/secrets.ts';
import { startVaultSimulator, type VaultSimulator } from '../support/vault-sim/index.ts';
import { holdersOf, seedPair, SEED_MAC_ROUTER_002, SEED_MAC_ROUTER_003, startWorld, type Router, type World } from '../support/world.ts';
import { detachedWorkers } from '../support/wait.ts';

function leaks(text: string): string[] {
  return SECRET_MARKERS.filter((marker) => text.includes(marker)).map((marker) => `${marker.slice(0, 6)}…`);
}

const TLS_WARNING = 'carp-ovh: warning: NODE_TLS_REJECT_UNAUTHORIZED=0 is set';

describe('no secret in any child argv, child environment or syslog line', () => {
  let world: World;
  before(async () => {
    world = await startWorld({ label: 'secrets-children', ovh: { delays: { delete: 400, add: 60 } } });
  });
  after(() => world.close());

  test('claims (ok and failed), reconcile, check and the detached worker: every child spied on', async () => {
    world.ovh.setState(seedState());
    const { r002 } = seedPair(world);
    const spy = spyOn(r002);
    r002.setState('MASTER');

    // The detached worker, as devd starts it: read its argv and environment while it claims.
    // OVH holds the worker's first read 1.5 s (within its 2 s timeout) on top of
    // the claim's own 460 ms of tasks: it is still running when the hook returns.
    world.ovh.addFault({ method: 'GET', path: '/dedicated/server/*', times: 1, action: { type: 'delay', ms: 1500 } });
    assert.equal((await r002.hook('MASTER')).code, 0);
    const workers = detachedWorkers(r002.configPath);
    assert.equal(workers.length, 1, 'the hook started one worker, still claiming');
    const snapshot = procSnapshot(workers[0]?.pid ?? 0);
    assert.ok(snapshot !== null && snapshot.argv.includes('claim-worker'), 'the worker was readable in /proc');
    writeFileSync(join(r002.dir, 'worker-argv-env.log'), `argv: ${JSON.stringify(snapshot.argv)}\nenv:\n${snapshot.env.join('\n')}\n`);
    assert.deepEqual(leaks(snapshot.argv.join(' ')), [], 'worker argv');
    assert.deepEqual(leaks(snapshot.env.join('\n')), [], 'worker environment');
    await r002.workersDone();
    assert.equal((r002.lastClaim() as { result?: string } | null)?.result, 'ok', JSON.stringify(r002.lastClaim()));

    // A failed claim logs errors and writes the demotion; then a foreground claim back, a reconcile and a check.
    world.ovh.setState(seedState());
    world.ovh.addFault({
      method: 'DELETE',
      path: '/dedicated/server/*/virtualMac/*/virtualAddress/*',
      action: { type: 'status', status: 403, errorCode: 'NOT_GRANTED_CALL', message: 'This call has not been granted' },
    });
    // A variable of the caller's environment, to see which children inherit it.
    const env = { CARP_OVH_SPY_MARK: 'inherited' };
    const failed = await r002.cli(['hook', '2@vmx1', 'MASTER', '--wait'], { env });
    world.ovh.clearFaults();
    assert.equal(failed.code, 1);
    assert.equal((await r002.cli(['hook', '2@vmx1', 'MASTER', '--wait'], { env })).code, 0);
    assert.equal((await r002.cli(['reconcile', '--wait'], { env })).code, 0);
    const checked = await r002.cli(['check'], { env });
    assert.equal(checked.code, 0, checked.stdout + checked.stderr);
    assert.deepEqual(holdersOf(world), [SEED_MAC_ROUTER_002]);

    const dump = spy.dump();
    for (const child of ['ifconfig', 'sysctl', 'logger', 'service-status script']) {
      assert.match(dump, new RegExp(`=== ${child} pid \\d+\\nargv:`), `${child} was never run: the spy proves nothing about it`);
    }
    assert.match(dump, /argv: \[[^\]]*sysctl\] \[net\.inet\.carp\.demotion=1048576\]/, 'the demotion write went through the spy');
    assert.deepEqual(leaks(dump), [], 'a secret in a child argv or environment');
    // ifconfig, sysctl and the scripts get a fixed environment (PATH, LC_ALL), not the caller's.
    for (const block of dump.split(/^(?==== )/m)) {
      if (/^=== (ifconfig|sysctl|service-status script) /.test(block)) assert.doesNotMatch(block, /CARP_OVH_SPY_MARK/, block);
    }
    assert.match(dump, /^CARP_OVH_SPY_MARK=inherited$/m, 'logger(1) does inherit it: the mark works');

    const syslog = spy.syslog();
    assert.match(syslog, /claim failed/);
    assert.match(syslog, /NOT_GRANTED_CALL/);
    assert.deepEqual(leaks(syslog), [], 'a secret in a syslog line');
  });
});

describe('TLS verification cannot be turned off from the environment', () => {
  let world: World;
  let rogueVault: VaultSimulator;
  let rogueOvh: OvhSimulator;
  before(async () => {
    world = await startWorld({ label: 'secrets-tls' });
    rogueVault = await startVaultSimulator({ tls: 'rogue' });
    rogueOvh = await startOvhSimulator({ tls: 'rogue' });
  });
  after(async () => {
    await Promise.all([world.close(), rogueVault.close(), rogueOvh.close()]);
  });

  function routerBehindRogueVault(name: string): Router {
    world.ovh.setState(seedState());
    return world.router({ name, mac: SEED_MAC_ROUTER_002, ownAddress: '178.32.70.110', state: 'MASTER', vaultUrl: rogueVault.url });
  }

  for (const env of [{ VAULT_SKIP_VERIFY: '1' }, { VAULT_SKIP_VERIFY: 'true' }, { NODE_TLS_REJECT_UNAUTHORIZED: '0' }]) {
    test(`a Vault with a certificate nobody signed, ${Object.entries(env)[0]?.join('=')}: the claim fails on TLS`, async () => {
      const router = routerBehindRogueVault('rogue-vault');
      const result = await router.cli(['hook', '2@vmx1', 'MASTER', '--wait'], { env });
      assert.equal(result.code, 1, result.stdout + result.stderr);
      assert.match(
        result.stdout,
        /TLS verification of https:\/\/127\.0\.0\.1:\d+ failed during Vault AppRole login: self-signed certificate \(DEPTH_ZERO_SELF_SIGNED_CERT\)/,
      );
      assert.equal(rogueVault.counters.logins, 0, 'the secret_id never reached the impostor');
      assert.deepEqual(holdersOf(world), [SEED_MAC_ROUTER_003]);
      assert.equal(router.demotion(), 1_048_576);
    });
  }

  test('VAULT_SKIP_VERIFY is honoured only where the config says allow_env_skip_verify: true', async () => {
    const router = routerBehindRogueVault('rogue-vault-allowed');
    writeFileSync(
      router.configPath,
      readFileSync(router.configPath, 'utf8').replace(
        '      path: network/carp-hyper-001-switch\n',
        '      path: network/carp-hyper-001-switch\n      allow_env_skip_verify: true\n',
      ),
    );
    const refused = await router.cli(['hook', '2@vmx1', 'MASTER', '--wait']);
    assert.equal(refused.code, 1, 'without VAULT_SKIP_VERIFY the certificate is still checked');
    const allowed = await router.cli(['hook', '2@vmx1', 'MASTER', '--wait'], { env: { VAULT_SKIP_VERIFY: '1' } });
    assert.equal(allowed.code, 0, allowed.stdout + allowed.stderr);
    assert.deepEqual(holdersOf(world), [SEED_MAC_ROUTER_002]);
  });

  test('an OVH API with a certificate nobody signed, NODE_TLS_REJECT_UNAUTHORIZED=0: refused all the same, and warned about', async () => {
    world.ovh.setState(seedState());
    const router = world.router({ name: 'rogue-ovh', mac: SEED_MAC_ROUTER_002, ownAddress: '178.32.70.110', state: 'MASTER' });
    writeFileSync(router.configPath, readFileSync(router.configPath, 'utf8').replace(`url: ${world.ovh.url}`, `url: ${rogueOvh.url}`));
    const result = await router.cli(['hook', '2@vmx1', 'MASTER', '--wait'], { env: { NODE_TLS_REJECT_UNAUTHORIZED: '0' } });
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.ok(result.stderr.includes(TLS_WARNING));
    assert.match(result.stdout, /TLS verification of 127\.0\.0\.1:\d+ failed: self-signed certificate/);
    assert.equal(rogueOvh.requests().length, 0, 'not one request (consumer key included) reached the impostor');
  });
});

describe('NODE_TLS_REJECT_UNAUTHORIZED=0 and loose secret files are reported', () => {
  let world: World;
  before(async () => {
    world = await startWorld({ label: 'secrets-report' });
  });
  after(() => world.close());

  test('every command warns: hook (devd and --wait), reconcile, config check, check, status', async () => {
    const { r002 } = seedPair(world);
    const env = { NODE_TLS_REJECT_UNAUTHORIZED: '0' };
    for (const args of [
      ['hook', '2@vmx1', 'BACKUP'],
      ['hook', '2@vmx1', 'MASTER', '--wait'],
      ['reconcile', '--wait'],
      ['config', 'check'],
      ['check'],
      ['status'],
    ]) {
      const result = await r002.cli(args, { env });
      assert.ok(result.stderr.includes(TLS_WARNING), `${args.join(' ')}: no warning in\n${result.stderr}`);
      assert.notEqual(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
    }
    const quiet = await r002.cli(['config', 'check']);
    assert.ok(!quiet.stderr.includes('NODE_TLS_REJECT_UNAUTHORIZED'), 'no warning without the variable');
  });

  test('doctor FAILs with NODE_TLS_REJECT_UNAUTHORIZED=0', async () => {
    const { r002 } = seedPair(world);
    const result = await r002.cli(['doctor', '--json', '--root', join(r002.dir, 'root')], { env: { NODE_TLS_REJECT_UNAUTHORIZED: '0' } });
    assert.equal(result.code, 1);
    const report = JSON.parse(result.stdout) as { checks: Array<{ status: string; title: string; detail?: string }> };
    const tls = report.checks.filter((c) => /NODE_TLS_REJECT_UNAUTHORIZED|TLS verification/.test(`${c.title} ${c.detail ?? ''}`));
    assert.ok(tls.length > 0 && tls.every((c) => c.status === 'fail'), JSON.stringify(tls));
  });

  for (const mode of [0o640, 0o604, 0o644]) {
    test(`a secretsmith file of mode ${mode.toString(8)}: doctor FAILs`, async () => {
      const { r002 } = seedPair(world);
      chmodSync(join(r002.dir, 'carp-secretsmith.yaml'), mode);
      const result = await r002.cli(['doctor', '--json', '--root', join(r002.dir, 'root')]);
      assert.equal(result.code, 1);
      const report = JSON.parse(result.stdout) as { checks: Array<{ status: string; title: string; detail?: string }> };
      const mode_ = report.checks.filter((c) => /mode/.test(c.title));
      assert.ok(
        mode_.some((c) => c.status === 'fail'),
        JSON.stringify(mode_),
      );
    });
  }

  test('a credentials file (credentials: file) readable by its group: the claim refuses it, doctor FAILs', async () => {
    world.ovh.setState(seedState());
    const router = world.router({ name: 'file-credentials', mac: SEED_MAC_ROUTER_002, ownAddress: '178.32.70.110', state: 'MASTER' });
    const credentials = join(router.dir, 'ovh-credentials.yaml');
    writeFileSync(credentials, `application_key: ${OVH_APPLICATION_KEY}\napplication_secret: ${OVH_APPLICATION_SECRET}\nconsumer_key: ${OVH_CONSUMER_KEY}\n`, {
      mode: 0o640,
    });
    chmodSync(credentials, 0o640);
    const config = readFileSync(router.configPath, 'utf8');
    const vaultBlock = /    vault:\n(      .*\n)+/.exec(config)?.[0] ?? '';
    assert.notEqual(vaultBlock, '');
    writeFileSync(router.configPath, config.replace(vaultBlock, `    file: ${credentials}\n`));

    const hooked = await router.hook('MASTER', { wait: true });
    assert.equal(hooked.code, 2, hooked.stdout + hooked.stderr);
    assert.match(hooked.stdout + hooked.stderr, /refusing credentials file/);
    assert.deepEqual(holdersOf(world), [SEED_MAC_ROUTER_003]);
    assert.deepEqual(leaks(hooked.stdout + hooked.stderr), []);

    const doctor = await router.cli(['doctor', '--json', '--root', join(router.dir, 'root')]);
    assert.equal(doctor.code, 1);
    const report = JSON.parse(doctor.stdout) as { checks: Array<{ status: string; title: string; detail?: string }> };
    assert.ok(
      report.checks.some((c) => c.status === 'fail' && /ovh-credentials\.yaml/.test(`${c.title} ${c.detail ?? ''}`)),
      JSON.stringify(report.checks.filter((c) => c.status !== 'pass')),
    );
  });

  test('a secretsmith file readable by others: check WARNs (and stays healthy: the router can still claim)', async () => {
    const { r002 } = seedPair(world);
    chmodSync(join(r002.dir, 'carp-secretsmith.yaml'), 0o644);
    const result = await r002.cli(['check']);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(`${result.stdout}\n${result.stderr}`, /warn[^\n]*carp-secretsmith\.yaml[^\n]*(group|others|mode)/i);
  });
});
