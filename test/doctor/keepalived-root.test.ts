/**
 * `install --root` then `doctor --root` on a keepalived router, the CLI run
 * through a symlink as npm's bin link runs it: doctor reads the check timer's
 * unit under the root install wrote it to, and recognises the CLI install put
 * in it (the entry's resolved path, which argv[1], the link, is not).
 */
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { CLI_PATH, runCli, writeMinimalKeepalivedConfig } from '../support/cli.ts';
import { makeTempDir } from '../support/tmp.ts';

interface Report {
  checks: Array<{ id: string; status: string; detail: string }>;
}

describe('doctor --root on a keepalived router', () => {
  test('finds the unit install wrote under the root, running this carp-ovh, when run through a symlink', async () => {
    const dir = makeTempDir('keepalived-root');
    const root = join(dir, 'root');
    mkdirSync(join(root, 'etc/keepalived'), { recursive: true });
    writeFileSync(join(root, 'etc/keepalived/keepalived.conf'), 'vrrp_instance VI_1 {\n}\n');
    const { path: configPath } = writeMinimalKeepalivedConfig(dir);
    const link = join(dir, 'carp-ovh');
    symlinkSync(CLI_PATH, link);
    const install = await runCli(['--config', configPath, 'install', '--root', root], { entry: link, captureDir: dir });
    assert.equal(install.code, 0, install.stderr + install.stdout);
    // What `systemctl enable` does.
    mkdirSync(join(root, 'etc/systemd/system/multi-user.target.wants'), { recursive: true });
    symlinkSync('../carp-ovh-check.service', join(root, 'etc/systemd/system/multi-user.target.wants/carp-ovh-check.service'));

    const doctor = await runCli(['--config', configPath, 'doctor', '--json', '--root', root], { entry: link, captureDir: dir });
    const report = JSON.parse(doctor.stdout) as Report;
    const timer = report.checks.find((c) => c.id === 'install.timer');
    assert.equal(timer?.status, 'pass', JSON.stringify(timer));
    assert.match(timer?.detail ?? '', /runs this carp-ovh check --every/);
  });
});
