/**
 * install / uninstall on an OpenBSD router: the ifstated section (one run line per
 * carp interface and link state), the rc.d script that runs carp-ovh's own
 * ifstated on it, and the rc.d script for the checks land under --root with
 * absolute paths, the printed next steps say how to enable them, and
 * uninstall removes exactly what install wrote.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { applyInstall, applyUninstall } from '../../src/install/apply.ts';
import { planInstall } from '../../src/install/plan.ts';
import { parseHookArgs } from '../../src/platform/openbsd/hook-args.ts';
import { CLI_PATH, runCli } from '../support/cli.ts';
import { makeTempDir } from '../support/tmp.ts';

const NODE = '/usr/local/bin/node';
const CLI = '/usr/local/lib/node_modules/carp-ovh/dist/cli.js';

async function install(root: string, options: { config?: string; timer?: 'rc.d' | 'none'; interfaces?: string[] } = {}) {
  const plan = await planInstall({
    root,
    node: NODE,
    cli: CLI,
    config: options.config ?? '/usr/local/etc/carp-ovh.yaml',
    timer: options.timer,
    openbsd: { interfaces: options.interfaces ?? ['carp0'] },
  });
  return { plan, outcome: await applyInstall(plan, { root, dryRun: false }) };
}

describe('install on OpenBSD', () => {
  it("writes carp-ovh's ifstated file, the rc.d scripts of its ifstated and of the checks, prints the rcctl lines; uninstall removes them", async () => {
    const root = makeTempDir('obsd-install');
    const { plan, outcome } = await install(root, { config: '/etc/carp-ovh.yaml', interfaces: ['carp0', 'carp1', 'carp0'] });
    assert.equal(outcome.exitCode, 0, outcome.lines.join('\n'));
    assert.equal(plan.platform, 'openbsd');
    assert.equal(plan.timer, 'rc.d');
    const section = readFileSync(join(root, 'etc/carp-ovh/ifstated.conf'), 'utf8');
    const runs = [...section.matchAll(/^if (\S+)\n\trun "([^"]+)"$/gm)].map((m) => [m[1], m[2]]);
    const command = `${NODE} ${CLI} --config /etc/carp-ovh.yaml hook`;
    assert.deepEqual(runs, [
      ['carp0.link.up', `${command} carp0 MASTER`],
      ['carp0.link.down', `${command} carp0 BACKUP`],
      ['carp0.link.unknown', `${command} carp0 BACKUP`],
      ['carp1.link.up', `${command} carp1 MASTER`],
      ['carp1.link.down', `${command} carp1 BACKUP`],
      ['carp1.link.unknown', `${command} carp1 BACKUP`],
    ]);
    // Each run line is a command the hook accepts as it stands.
    for (const [, line] of runs) {
      const words = (line ?? '').split(' ');
      assert.deepEqual(words.slice(0, 5), [NODE, CLI, '--config', '/etc/carp-ovh.yaml', 'hook']);
      parseHookArgs(words.slice(5));
    }
    const rc = readFileSync(join(root, 'etc/rc.d/carp_ovh'), 'utf8');
    assert.match(rc, /^daemon="\/usr\/local\/bin\/node"$/m);
    assert.match(rc, new RegExp(`^daemon_flags="--max-semi-space-size=1 --max-old-space-size=64 ${CLI} --config /etc/carp-ovh.yaml check --every 10s"$`, 'm'));
    assert.match(rc, /^rc_bg=YES$/m);
    assert.equal(statSync(join(root, 'etc/rc.d/carp_ovh')).mode & 0o777, 0o555);
    const text = outcome.lines.join('\n');
    assert.match(text, /OpenBSD \(carp-ovh's own ifstated\)/);
    // ifstated.conf has no include: carp-ovh's ifstated runs on its own file, beside the operator's.
    assert.doesNotMatch(text, /include/);
    assert.match(text, /rcctl enable carp_ovh_ifstated && rcctl start carp_ovh_ifstated/);
    const ifstatedRc = readFileSync(join(root, 'etc/rc.d/carp_ovh_ifstated'), 'utf8');
    assert.match(ifstatedRc, /^daemon="\/usr\/sbin\/ifstated"$/m);
    assert.match(ifstatedRc, /^daemon_flags="-f \/etc\/carp-ovh\/ifstated\.conf"$/m);
    assert.match(ifstatedRc, /^\. \/etc\/rc\.d\/rc\.subr$/m);
    assert.equal(statSync(join(root, 'etc/rc.d/carp_ovh_ifstated')).mode & 0o777, 0o555);
    assert.match(text, /rcctl enable carp_ovh && rcctl start carp_ovh/);
    assert.match(text, /pass on vio2 proto carp/);

    const removed = await applyUninstall({ root, dryRun: false, force: false });
    assert.equal(removed.exitCode, 0, removed.lines.join('\n'));
    assert.equal(existsSync(join(root, 'etc/carp-ovh/ifstated.conf')), false);
    assert.equal(existsSync(join(root, 'etc/rc.d/carp_ovh')), false);
    const after = removed.lines.join('\n');
    assert.equal(existsSync(join(root, 'etc/rc.d/carp_ovh_ifstated')), false);
    assert.match(after, /rcctl stop carp_ovh_ifstated; rcctl disable carp_ovh_ifstated/);
    assert.match(after, /rcctl stop carp_ovh; rcctl disable carp_ovh\)/);
    assert.doesNotMatch(after, /sysrc|service carp_ovh/);
  });

  it('--timer none writes no rc.d script; a timer OpenBSD lacks or a path ifstated cannot quote is refused', async () => {
    const root = makeTempDir('obsd-install-none');
    const { plan } = await install(root, { timer: 'none' });
    assert.deepEqual(
      plan.files.filter((f) => !f.sample).map((f) => f.path),
      ['/etc/carp-ovh/ifstated.conf', '/etc/rc.d/carp_ovh_ifstated'],
    );
    assert.doesNotMatch(readFileSync(join(root, 'etc/carp-ovh/ifstated.conf'), 'utf8'), /--config/);
    await assert.rejects(
      planInstall({ root, node: NODE, cli: CLI, config: '/usr/local/etc/carp-ovh.yaml', timer: 'cron', openbsd: { interfaces: ['carp0'] } }),
      /not for OpenBSD/,
    );
    await assert.rejects(
      planInstall({ root, node: NODE, cli: CLI, config: '/etc/a"b.yaml', timer: 'none', openbsd: { interfaces: ['carp0'] } }),
      /cannot put .* in a devd rule or script/,
    );
  });
});

/** The `if IFACE.link.up|down|unknown` tests and their run lines' hook arguments, in order. */
function watched(section: string): Array<[string, string]> {
  return [...section.matchAll(/^if (\S+)\n\trun "[^"]* hook ([^"]+)"$/gm)].map((m) => [m[1] ?? '', m[2] ?? '']);
}

describe('carp-ovh install on OpenBSD (the CLI)', () => {
  it("watches the configuration's carp interfaces, not the sample's", async () => {
    const root = makeTempDir('obsd-install-cli');
    const config = join(root, 'carp-ovh.yaml');
    writeFileSync(
      config,
      `ovh:
  endpoint: ovh-eu
  credentials: { file: /etc/carp-ovh/ovh.yaml }
failover:
  - interface: carp1
    addresses: [146.59.143.231]
    via: cloud
    project: t18s
    instance: bi-edge-sbg-1
    alias: { interface: vio0 }
  - interface: carp3
    vhid: 3
    addresses: [146.59.143.232]
    via: cloud
    project: t18s
    instance: bi-edge-sbg-1
platform: { kind: openbsd }
`,
    );
    const result = await runCli(['--config', config, 'install', '--root', root], { captureDir: root });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /OpenBSD \(carp-ovh's own ifstated\)/);
    const section = readFileSync(join(root, 'etc/carp-ovh/ifstated.conf'), 'utf8');
    assert.deepEqual(watched(section), [
      ['carp1.link.up', 'carp1 MASTER'],
      ['carp1.link.down', 'carp1 BACKUP'],
      ['carp1.link.unknown', 'carp1 BACKUP'],
      ['carp3.link.up', 'carp3 MASTER'],
      ['carp3.link.down', 'carp3 BACKUP'],
      ['carp3.link.unknown', 'carp3 BACKUP'],
    ]);
    // The run lines call this CLI with this configuration.
    assert.match(section, new RegExp(`^\\trun "${process.execPath} ${CLI_PATH} --config ${config} hook carp1 MASTER"$`, 'm'));
    assert.ok(existsSync(join(root, 'etc/rc.d/carp_ovh')));
    // The configuration was there: install leaves it alone.
    assert.match(readFileSync(config, 'utf8'), /interface: carp3/);

    const bad = await runCli(['--config', config, 'install', '--root', root, '--timer', 'cron'], { captureDir: root });
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /--timer cron is for FreeBSD; an OpenBSD router takes rc\.d \(rcctl\) or none/);
  });

  it('--platform openbsd without a configuration writes the OpenBSD sample, which loads, and watches its carp0', async () => {
    const root = makeTempDir('obsd-install-sample');
    const config = join(root, 'etc/carp-ovh.yaml');
    const result = await runCli(['--config', config, 'install', '--root', root, '--platform', 'openbsd', '--timer', 'none'], { captureDir: root });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.deepEqual(watched(readFileSync(join(root, 'etc/carp-ovh/ifstated.conf'), 'utf8')), [
      ['carp0.link.up', 'carp0 MASTER'],
      ['carp0.link.down', 'carp0 BACKUP'],
      ['carp0.link.unknown', 'carp0 BACKUP'],
    ]);
    // --root prefixes every path install writes, the configuration too.
    const sample = join(root, config);
    assert.match(readFileSync(sample, 'utf8'), /^platform:\n {2}kind: openbsd$/m);
    const check = await runCli(['--config', sample, 'config', 'check'], { captureDir: root });
    assert.equal(check.code, 0, check.stdout + check.stderr);
    assert.match(check.stdout, /carp0/);
  });
});
