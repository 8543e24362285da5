/**
 * `carp-ovh doctor` on an OpenBSD edge instance, end to end: the real CLI against
 * the fake OpenBSD ifconfig/sysctl, the OVH simulator's Public Cloud routes and
 * Vault, on a setup installed with `install --root`. It must say whether ifstated
 * includes carp-ovh's section, and list the OVH access rules of each provider in use.
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

  test('without the include in /etc/ifstated.conf, install.ifstated-include fails and says what to add; with it, every check passes', async () => {
    let { result, report } = await doctor();
    assert.deepEqual(failing(report), ['install.ifstated-include'], result.stdout);
    assert.equal(result.code, 1);
    assert.match(checkOf(report, 'install.ifstated-include').detail, /\/etc\/ifstated\.conf does not exist/);
    assert.match(checkOf(report, 'install.ifstated-include').fix ?? '', /add include "\/etc\/carp-ovh\/ifstated\.conf" at the top level/);

    // The seed's own ifstated.conf, without carp-ovh's include (and a commented one does not count).
    const seedConf =
      'carp_if_up = \'carp0.link.up\'\n# include "/etc/carp-ovh/ifstated.conf"\nstate promoted {\n\tif $carp_if_up {\n\t\trun "logger promoted"\n\t}\n}\n';
    ifstatedConf(seedConf);
    ({ report } = await doctor());
    assert.deepEqual(failing(report), ['install.ifstated-include']);
    assert.match(checkOf(report, 'install.ifstated-include').detail, /does not include \/etc\/carp-ovh\/ifstated\.conf/);

    // Inside a state block ifstated does not read it.
    ifstatedConf(seedConf.replace('\t\trun "logger promoted"\n', `\t\trun "logger promoted"\n\t}\n\t${INCLUDE}\n\tif $carp_if_up {\n`));
    ({ report } = await doctor());
    assert.deepEqual(failing(report), ['install.ifstated-include']);
    assert.match(checkOf(report, 'install.ifstated-include').detail, /:7 includes \/etc\/carp-ovh\/ifstated\.conf inside a block/);

    ifstatedConf(`${seedConf}${INCLUDE}\n`);
    ({ result, report } = await doctor());
    const notPassing = report.checks.filter((c) => c.status !== 'pass').map((c) => `${c.id}: ${c.status} ${c.detail}`);
    assert.deepEqual(notPassing, [], result.stdout);
    assert.equal(result.code, 0);
    assert.match(checkOf(report, 'install.ifstated-include').detail, /\/etc\/ifstated\.conf:8 includes \/etc\/carp-ovh\/ifstated\.conf/);
    assert.match(checkOf(report, 'install.ifstated-section').detail, /runs carp-ovh hook on MASTER and BACKUP of carp0/);
    // The rules of the one provider in use, each by name.
    assert.equal(checkOf(report, 'ovh.grants').detail, `the key has every rule a claim needs (${CLOUD_RULES})`);
    // The text output says the same.
    const text = await edge1.cli(['doctor', '--root', root]);
    assert.match(text.stdout.replace(/\s+/g, ' '), /ifstated include: \/etc\/ifstated\.conf:8 includes \/etc\/carp-ovh\/ifstated\.conf/);
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
