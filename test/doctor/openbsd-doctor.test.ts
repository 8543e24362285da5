/**
 * `carp-ovh doctor` on an OpenBSD edge instance, end to end: the real CLI against
 * the fake OpenBSD ifconfig/sysctl, the OVH simulator's Public Cloud routes and
 * Vault, on a setup installed with `install --root`. It must say whether carp-ovh's
 * own ifstated is installed and enabled and whether /etc/ifstated.conf would break or
 * fight it, and list the OVH access rules of each provider in use.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { grantAll } from '../support/ovh-sim/index.ts';
import { CLOUD_FIP, cloudSeedState, edge, type Edge } from '../support/openbsd-world.ts';
import { OVH_CONSUMER_KEY } from '../support/secrets.ts';
import { makeTempDir } from '../support/tmp.ts';
import { startWorld, type World } from '../support/world.ts';
import { checkOf, doctorJson, failing } from './support.ts';

const CLOUD_RULES = 'cloud: GET /cloud/project/*/ip/failover, GET /cloud/project/*/instance, POST /cloud/project/*/ip/failover/*/attach';
const INCLUDE = 'include "/etc/carp-ovh/ifstated.conf"';

describe('doctor on OpenBSD with via: cloud', () => {
  let world: World;
  let edge1: Edge;
  let root: string;
  const doctor = async () => {
    const result = await edge1.cli(['doctor', '--json', '--root', root]);
    return { result, report: doctorJson(result) };
  };
  const ifstatedConf = (text: string): void => {
    mkdirSync(join(root, 'etc'), { recursive: true });
    writeFileSync(join(root, 'etc/ifstated.conf'), text);
  };

  before(async () => {
    world = await startWorld({ label: 'obsd-doctor', ovh: { state: cloudSeedState() } });
    edge1 = edge(world, { index: 0, state: 'MASTER' });
    // MASTER holds the failover IP at OVH (the seed state) and as its alias on vio0.
    edge1.kernel.update((state) => {
      state.interfaces.vio0?.inet?.push({ addr: CLOUD_FIP, prefix: 32 });
    });
    root = makeTempDir('obsd-doctor-root');
    const installed = await edge1.cli(['install', '--root', root]);
    assert.equal(installed.code, 0, installed.stdout + installed.stderr);
    mkdirSync(edge1.stateDir, { recursive: true, mode: 0o700 });
    const probes = ['vault', 'ovh-api', 'claim'].map((name) => ({ name, ok: true, detail: 'ok', durationMs: 5 }));
    writeFileSync(
      join(edge1.stateDir, 'last-check.json'),
      JSON.stringify({ at: new Date().toISOString(), healthy: true, durationMs: 20, probes, demotion: null }),
    );
  });
  after(() => world.close());

  test("carp-ovh's ifstated: enabled or not; /etc/ifstated.conf with an include (ifstated has none) or the seed's alias/carpdemote lines; then every check passes", async () => {
    // Installed, not yet enabled with rcctl.
    let { result, report } = await doctor();
    assert.deepEqual(failing(report), [], result.stdout);
    let check = checkOf(report, 'install.ifstated');
    assert.equal(check.status, 'warn');
    assert.match(check.detail, /\/etc\/rc\.d\/carp_ovh_ifstated is installed but not enabled/);
    assert.match(check.fix ?? '', /rcctl enable carp_ovh_ifstated && rcctl start carp_ovh_ifstated/);
    // rcctl enable appends a non-base script to pkg_scripts.
    writeFileSync(join(root, 'etc/rc.conf.local'), 'ifstated_flags=\npkg_scripts=carp_ovh carp_ovh_ifstated\n');
    ({ report } = await doctor());
    assert.deepEqual(
      [checkOf(report, 'install.ifstated').status, checkOf(report, 'install.ifstated').detail],
      ['pass', '/etc/rc.d/carp_ovh_ifstated runs ifstated -f /etc/carp-ovh/ifstated.conf, enabled'],
    );
    assert.match(checkOf(report, 'install.ifstated-conf').detail, /^none: only carp-ovh's ifstated runs/);

    // An include line (what an older carp-ovh told operators to add): ifstated refuses the whole file.
    ifstatedConf(`carp_if_up = 'carp0.link.up'\n${INCLUDE}\nstate promoted {\n\tif $carp_if_up\n\t\trun "logger promoted"\n}\n`);
    ({ result, report } = await doctor());
    assert.deepEqual(failing(report), ['install.ifstated-conf'], result.stdout);
    assert.equal(result.code, 1);
    check = checkOf(report, 'install.ifstated-conf');
    assert.match(check.detail, /^\/etc\/ifstated\.conf:2 has an include line, which ifstated does not know: it refuses the whole file$/);
    assert.match(check.fix ?? '', /remove that line/);

    // The seed's own ifstated.conf still aliasing the failover IP and demoting: two owners.
    ifstatedConf(
      `carp_if_up = 'carp0.link.up'\nstate promoted {\n\tif $carp_if_up {\n\t\t# run "ifconfig vio0 inet alias ${CLOUD_FIP}" is carp-ovh's job now\n\t\trun "logger promoted"\n\t}\n}\nstate demoted {\n\tinit {\n\t\trun "ifconfig -g carp carpdemote"\n\t}\n}\n`,
    );
    ({ report } = await doctor());
    check = checkOf(report, 'install.ifstated-conf');
    assert.equal(check.status, 'warn');
    assert.match(check.detail, /^\/etc\/ifstated\.conf:10 still runs what carp-ovh does/);

    // Cleaned up: only the logging stays.
    ifstatedConf(`carp_if_up = 'carp0.link.up'\nif $carp_if_up\n\trun "logger carp0 is master"\n`);
    ({ result, report } = await doctor());
    const notPassing = report.checks.filter((c) => c.status !== 'pass').map((c) => `${c.id}: ${c.status} ${c.detail}`);
    assert.deepEqual(notPassing, [], result.stdout);
    assert.equal(result.code, 0);
    assert.match(checkOf(report, 'install.ifstated-section').detail, /runs carp-ovh hook on MASTER and BACKUP of carp0/);
    // The rules of the one provider in use, each by name.
    assert.equal(checkOf(report, 'ovh.grants').detail, `the key has every rule a claim needs (${CLOUD_RULES})`);
    // The text output says the same.
    const text = await edge1.cli(['doctor', '--root', root]);
    assert.match(
      text.stdout.replace(/\s+/g, ' '),
      /carp-ovh's ifstated: \/etc\/rc\.d\/carp_ovh_ifstated runs ifstated -f \/etc\/carp-ovh\/ifstated\.conf, enabled/,
    );
  });

  test('a section that does not watch a failover interface fails install.ifstated-section', async () => {
    const path = join(root, 'etc/carp-ovh/ifstated.conf');
    const section = readFileSync(path, 'utf8');
    try {
      writeFileSync(path, section.replaceAll('carp0', 'carp7'));
      const { report } = await doctor();
      assert.deepEqual(failing(report), ['install.ifstated-section']);
      assert.match(checkOf(report, 'install.ifstated-section').detail, /runs no hook for carp0/);
    } finally {
      writeFileSync(path, section);
    }
  });

  test('a key that may not attach fails ovh.grants, naming the missing rule and listing what cloud needs', async () => {
    try {
      world.ovh.setConsumer(OVH_CONSUMER_KEY, { rules: [{ method: 'GET', path: '/cloud/project/*' }], status: 'validated', expiration: null });
      const { report } = await doctor();
      assert.deepEqual(failing(report), ['ovh.grants']);
      const grants = checkOf(report, 'ovh.grants');
      assert.match(grants.detail, /^the consumer key lacks POST \/cloud\/project\/\*\/ip\/failover\/\*\/attach: /);
      assert.ok(grants.detail.endsWith(`(a claim needs ${CLOUD_RULES})`), grants.detail);
      assert.match(grants.fix ?? '', /also has POST \/cloud\/project\/\*\/ip\/failover\/\*\/attach/);
    } finally {
      world.ovh.setConsumer(OVH_CONSUMER_KEY, grantAll());
    }
  });

  test('with two providers in use, ovh.grants lists the rules of each', async () => {
    const config = readFileSync(edge1.configPath, 'utf8');
    try {
      writeFileSync(
        edge1.configPath,
        config.replace('platform:\n', '  - interface: carp1\n    addresses: [198.51.100.7]\n    via: ip-move\n    server: ns3000000.ip-1-2-3.eu\nplatform:\n'),
      );
      const { report } = await doctor();
      assert.equal(checkOf(report, 'ovh.grants').detail, `the key has every rule a claim needs (${CLOUD_RULES}; ip-move: GET /ip/*, POST /ip/*/move)`);
      // The section install wrote watches carp0 only: doctor asks for install again.
      assert.match(checkOf(report, 'install.ifstated-section').detail, /runs no hook for carp1/);
    } finally {
      writeFileSync(edge1.configPath, config);
    }
  });
});
