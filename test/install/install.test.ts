/**
 * `install` / `uninstall` under --root, as the real CLI: what lands where with
 * which mode and paths, what doctor then thinks of it, and that uninstall gives
 * back the tree exactly as it was.
 */
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CLI_PATH, runCli } from '../support/cli.ts';
import { makeTempDir } from '../support/tmp.ts';
import { seedPair, startWorld, type World } from '../support/world.ts';
import { checkOf, doctorJson } from '../doctor/support.ts';

const DEFAULT_CONFIG = '/usr/local/etc/carp-ovh.yaml';

type Entry = { type: 'dir' | 'file'; mode: number; content?: string };

/** Every path under `root` with its type, mode and content. */
function snapshot(root: string): Record<string, Entry> {
  const out: Record<string, Entry> = {};
  const walk = (dir: string, rel: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      const key = `${rel}/${name}`;
      const info = lstatSync(path);
      if (info.isDirectory()) {
        out[key] = { type: 'dir', mode: info.mode & 0o7777 };
        walk(path, key);
      } else {
        out[key] = { type: 'file', mode: info.mode & 0o7777, content: readFileSync(path, 'utf8') };
      }
    }
  };
  walk(root, '');
  return out;
}

/** A root that already holds a few files of the base system, which install must leave alone. */
function baseRoot(label: string): string {
  const root = makeTempDir(label);
  mkdirSync(join(root, 'etc/devd'), { recursive: true });
  writeFileSync(join(root, 'etc/devd/zfs.conf'), 'notify 10 {\n\tmatch "system" "ZFS";\n\taction "logger zfs";\n};\n');
  mkdirSync(join(root, 'usr/local/etc'), { recursive: true });
  writeFileSync(join(root, 'etc/rc.conf'), 'hostname="router-003"\n');
  return root;
}

const cli = (root: string, args: string[], config = DEFAULT_CONFIG) => runCli(['--config', config, ...args, '--root', root]);

function mode(path: string): string {
  return (statSync(path).mode & 0o777).toString(8);
}

describe('install and uninstall', () => {
  let world: World;
  before(async () => {
    world = await startWorld({ label: 'install' });
  });
  after(() => world.close());

  test('install writes the devd rule, cron timer, service-status scripts and a sample config with absolute paths; doctor passes them; uninstall restores the tree', async () => {
    const { r003 } = seedPair(world);
    const root = baseRoot('install-root');
    const before = snapshot(root);

    const result = await r003.cli(['install', '--root', root]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /service devd restart/);

    const rule = readFileSync(join(root, 'usr/local/etc/devd/carp-ovh.conf'), 'utf8');
    assert.ok(rule.includes(`action "${process.execPath} ${CLI_PATH} --config ${r003.configPath} hook $subsystem $type";`), rule);
    assert.equal(mode(join(root, 'usr/local/etc/devd/carp-ovh.conf')), '644');
    const cron = readFileSync(join(root, 'etc/cron.d/carp-ovh'), 'utf8');
    assert.match(cron, new RegExp(`root\\t${process.execPath} ${CLI_PATH} --config ${r003.configPath} check`));
    assert.equal(mode(join(root, 'etc/cron.d/carp-ovh')), '644');
    const scripts = readdirSync(join(root, 'usr/local/etc/rc.carp_service_status.d')).sort();
    assert.deepEqual(scripts, readdirSync(new URL('../../hooks/rc.carp_service_status.d', import.meta.url)).sort());
    for (const name of scripts) {
      const path = join(root, 'usr/local/etc/rc.carp_service_status.d', name);
      assert.equal(mode(path), '755');
      assert.ok(readFileSync(path, 'utf8').includes(`${process.execPath} ${CLI_PATH} --config ${r003.configPath} probe`));
    }
    // The config path is not under this root yet, so a sample lands there.
    assert.ok(readFileSync(join(root, r003.configPath), 'utf8').startsWith('# carp-ovh configuration (sample'));
    for (const [path, entry] of Object.entries(snapshot(root))) {
      if (entry.content !== undefined) assert.doesNotMatch(entry.content, /%%[A-Z]+%%/, path);
    }
    assert.equal(mode(join(root, 'var/db/carp-ovh/install-manifest.json')), '600');

    const report = doctorJson(await r003.cli(['doctor', '--json', '--root', root]));
    for (const id of ['install.devd', 'install.devd-priority', 'install.timer'])
      assert.equal(checkOf(report, id).status, 'pass', JSON.stringify(checkOf(report, id)));

    const again = await r003.cli(['install', '--root', root]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /unchanged +\/usr\/local\/etc\/devd\/carp-ovh\.conf/);

    const removed = await r003.cli(['uninstall', '--root', root]);
    assert.equal(removed.code, 0, removed.stderr);
    assert.deepEqual(snapshot(root), before);
  });

  test('--root DIR that does not exist yet is created (DESTDIR practice); doctor --root then reads the fresh tree', async () => {
    const { r003 } = seedPair(world);
    const root = join(makeTempDir('install-fresh'), 'stage', 'router-003');
    assert.equal(existsSync(root), false);
    const result = await r003.cli(['install', '--root', root]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(mode(root), '755');
    assert.match(readFileSync(join(root, 'usr/local/etc/devd/carp-ovh.conf'), 'utf8'), /hook \$subsystem \$type/);
    assert.equal(mode(join(root, 'var/db/carp-ovh/install-manifest.json')), '600');

    const doctor = await r003.cli(['doctor', '--json', '--root', root]);
    assert.doesNotMatch(doctor.stderr, /ENOENT|\n\s+at /, 'no missing-path error, no stack trace');
    const report = doctorJson(doctor);
    for (const id of ['install.devd', 'install.devd-priority', 'install.timer'])
      assert.equal(checkOf(report, id).status, 'pass', JSON.stringify(checkOf(report, id)));

    // The root is the operator's: uninstall removes what install wrote, not the root itself.
    assert.equal((await r003.cli(['uninstall', '--root', root])).code, 0);
    assert.deepEqual(readdirSync(root), []);
  });

  test('--dry-run prints every file and writes nothing', async () => {
    const root = baseRoot('install-dry');
    const before = snapshot(root);
    const result = await cli(root, ['install', '--dry-run']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /--- \/usr\/local\/etc\/devd\/carp-ovh\.conf \(0644, would create\)\n# carp-ovh:/);
    assert.ok(result.stdout.includes(`action "${process.execPath} ${CLI_PATH} hook $subsystem $type";`), 'default config: no --config');
    assert.match(result.stdout, /--- \/etc\/cron\.d\/carp-ovh \(0644, would create\)/);
    assert.match(result.stdout, /--- \/usr\/local\/etc\/rc\.carp_service_status\.d\/carp-ovh-vault \(0755, would create\)/);
    assert.match(result.stdout, /--- \/usr\/local\/etc\/carp-ovh\.yaml \(0644, would create\)\n# carp-ovh configuration/);
    assert.deepEqual(snapshot(root), before);

    const nothing = await cli(root, ['uninstall', '--dry-run']);
    assert.equal(nothing.code, 0);
    assert.match(nothing.stdout, /nothing recorded/);
  });

  test('on OPNsense: a syshook instead of the devd rule, no check timer; doctor checks the syshook', async () => {
    const { r003 } = seedPair(world);
    const root = baseRoot('install-opnsense');
    mkdirSync(join(root, 'usr/local/opnsense'), { recursive: true });
    const before = snapshot(root);
    const result = await r003.cli(['install', '--root', root]);
    assert.equal(result.code, 0, result.stderr);
    const hook = join(root, 'usr/local/etc/rc.syshook.d/carp/50-carp-ovh');
    assert.equal(mode(hook), '755');
    assert.ok(readFileSync(hook, 'utf8').includes(`exec ${process.execPath} ${CLI_PATH} --config ${r003.configPath} hook "$1" "$2"`));
    assert.equal(existsSync(join(root, 'usr/local/etc/devd/carp-ovh.conf')), false);
    assert.equal(existsSync(join(root, 'etc/cron.d/carp-ovh')), false);
    assert.match(result.stdout, /configctl interface update carp service_status/);

    const report = doctorJson(await r003.cli(['doctor', '--json', '--root', root]));
    assert.equal(checkOf(report, 'install.syshook').status, 'pass');
    assert.equal(checkOf(report, 'install.timer').status, 'pass');
    assert.equal(
      report.checks.some((c) => c.id === 'install.devd'),
      false,
    );

    assert.equal((await r003.cli(['uninstall', '--root', root])).code, 0);
    assert.deepEqual(snapshot(root), before);
  });

  test('a file in the way stops install before it writes anything', async () => {
    const root = baseRoot('install-conflict');
    mkdirSync(join(root, 'usr/local/etc/devd'), { recursive: true });
    writeFileSync(join(root, 'usr/local/etc/devd/carp-ovh.conf'), '# hand-made\n');
    const before = snapshot(root);
    const result = await cli(root, ['install']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /in the way +\/usr\/local\/etc\/devd\/carp-ovh\.conf: exists and was not written by carp-ovh install/);
    assert.deepEqual(snapshot(root), before);
  });

  test('an existing config is never overwritten, nor removed', async () => {
    const root = baseRoot('install-config');
    writeFileSync(join(root, 'usr/local/etc/carp-ovh.yaml'), 'ovh: {}\n');
    const before = snapshot(root);
    const result = await cli(root, ['install']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /kept +\/usr\/local\/etc\/carp-ovh\.yaml: exists; a configuration is never overwritten/);
    assert.equal(readFileSync(join(root, 'usr/local/etc/carp-ovh.yaml'), 'utf8'), 'ovh: {}\n');
    assert.equal((await cli(root, ['uninstall'])).code, 0);
    assert.deepEqual(snapshot(root), before);
  });

  test('a file changed since install is kept by uninstall (exit 1) until --force', async () => {
    const root = baseRoot('install-changed');
    const before = snapshot(root);
    assert.equal((await cli(root, ['install'])).code, 0);
    writeFileSync(join(root, 'etc/cron.d/carp-ovh'), '# edited by hand\n');
    const kept = await cli(root, ['uninstall']);
    assert.equal(kept.code, 1);
    assert.match(kept.stderr, /kept +\/etc\/cron\.d\/carp-ovh: changed since install/);
    assert.match(kept.stderr, /removed +\/usr\/local\/etc\/devd\/carp-ovh\.conf/);
    assert.equal(readFileSync(join(root, 'etc/cron.d/carp-ovh'), 'utf8'), '# edited by hand\n');
    const forced = await cli(root, ['uninstall', '--force']);
    assert.equal(forced.code, 0, forced.stderr);
    assert.deepEqual(snapshot(root), before);
  });

  test('--timer rc.d installs the service (doctor wants it enabled); switching back to cron removes it', async () => {
    const { r003 } = seedPair(world);
    const root = baseRoot('install-rcd');
    const before = snapshot(root);
    assert.equal((await r003.cli(['install', '--root', root, '--timer', 'rc.d'])).code, 0);
    const script = join(root, 'usr/local/etc/rc.d/carp_ovh');
    assert.equal(mode(script), '755');
    assert.equal(existsSync(join(root, 'etc/cron.d/carp-ovh')), false);
    let report = doctorJson(await r003.cli(['doctor', '--json', '--root', root]));
    assert.equal(checkOf(report, 'install.timer').status, 'warn');
    assert.match(checkOf(report, 'install.timer').fix ?? '', /sysrc carp_ovh_enable=YES/);
    writeFileSync(join(root, 'etc/rc.conf'), 'hostname="router-003"\ncarp_ovh_enable="YES"\n');
    report = doctorJson(await r003.cli(['doctor', '--json', '--root', root]));
    assert.equal(checkOf(report, 'install.timer').status, 'pass');
    writeFileSync(join(root, 'etc/rc.conf'), 'hostname="router-003"\n');

    const switched = await r003.cli(['install', '--root', root, '--timer', 'cron']);
    assert.equal(switched.code, 0, switched.stderr);
    assert.match(switched.stdout, /removed +\/usr\/local\/etc\/rc\.d\/carp_ovh \(no longer installed\)/);
    assert.equal(existsSync(script), false);
    assert.equal((await r003.cli(['uninstall', '--root', root])).code, 0);
    assert.deepEqual(snapshot(root), before);
  });

  test('bad arguments are usage errors (exit 2)', async () => {
    const root = makeTempDir('install-args');
    assert.equal((await cli(root, ['install', '--timer', 'systemd'])).code, 2);
    assert.equal((await runCli(['install', '--root', 'relative/dir'])).code, 2);
    assert.equal((await runCli(['uninstall', 'extra'])).code, 2);
  });
});
