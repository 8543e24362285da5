/**
 * install / uninstall on a keepalived router: the two keepalived.conf snippets
 * and the systemd unit land under --root with absolute paths, keepalived itself
 * accepts the snippets where the printed include lines put them, and uninstall
 * removes exactly what install wrote. (That keepalived accepts the snippets where
 * the include lines put them is proven by test/e2e/keepalived.test.ts, whose
 * routers include exactly these files.)
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { applyInstall, applyUninstall } from '../../src/install/apply.ts';
import { planInstall } from '../../src/install/plan.ts';
import { makeTempDir } from '../support/tmp.ts';

const NODE = '/usr/local/bin/node';
const CLI = '/usr/local/lib/node_modules/carp-ovh/dist/cli.js';

async function install(root: string, options: { share?: number; config?: string; timer?: 'systemd' | 'none' } = {}) {
  const plan = await planInstall({
    root,
    node: NODE,
    cli: CLI,
    config: options.config ?? '/usr/local/etc/carp-ovh.yaml',
    timer: options.timer,
    keepalived: { trackFile: '/run/carp-ovh/track', share: options.share ?? 1 },
  });
  return { plan, outcome: await applyInstall(plan, { root, dryRun: false }) };
}

function tree(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string, rel: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      out.push(`${rel}/${entry.name}`);
      if (entry.isDirectory()) walk(join(dir, entry.name), `${rel}/${entry.name}`);
    }
  };
  walk(root, '');
  return out;
}

describe('install on a keepalived router', () => {
  it('writes the track_file and notify snippets and the systemd unit, prints the include lines', async () => {
    const root = makeTempDir('keepalived-install');
    mkdirSync(join(root, 'etc/keepalived'), { recursive: true });
    writeFileSync(join(root, 'etc/keepalived/keepalived.conf'), 'vrrp_instance VI_1 {\n}\n');
    const before = tree(root);
    const { plan, outcome } = await install(root);
    assert.equal(outcome.exitCode, 0, outcome.lines.join('\n'));
    assert.equal(plan.platform, 'keepalived');
    assert.equal(plan.timer, 'systemd');
    const text = outcome.lines.join('\n');
    assert.match(text, /^carp-ovh install: keepalived \(notify and track_file snippets\), timer systemd/);
    assert.match(text, /include \/etc\/keepalived\/carp-ovh\.conf +# once, at the top level/);
    assert.match(text, /include \/etc\/keepalived\/carp-ovh-instance\.conf +# inside each vrrp_instance/);
    assert.match(text, /systemctl daemon-reload && systemctl enable --now carp-ovh-check\.service/);

    const top = readFileSync(join(root, 'etc/keepalived/carp-ovh.conf'), 'utf8');
    assert.match(top, /^track_file carp_ovh \{\n {2}file \/run\/carp-ovh\/track\n {2}weight -253\n {2}init_file 0\n\}$/m);
    const instance = readFileSync(join(root, 'etc/keepalived/carp-ovh-instance.conf'), 'utf8');
    assert.match(instance, new RegExp(`^notify "${NODE} ${CLI} hook"$`, 'm'));
    assert.match(instance, /^track_file \{\n {2}carp_ovh\n\}$/m);
    const unit = readFileSync(join(root, 'etc/systemd/system/carp-ovh-check.service'), 'utf8');
    assert.match(unit, new RegExp(`^ExecStart=${NODE} --max-semi-space-size=1 --max-old-space-size=64 ${CLI} check --every 10s$`, 'm'));
    assert.equal(
      readFileSync(join(root, 'etc/keepalived/keepalived.conf'), 'utf8'),
      'vrrp_instance VI_1 {\n}\n',
      "the operator's keepalived.conf is never edited",
    );

    const removed = await applyUninstall({ root, dryRun: false, force: false });
    assert.equal(removed.exitCode, 0, removed.lines.join('\n'));
    assert.match(removed.lines.join('\n'), /remove the include lines .* systemctl reload keepalived/);
    assert.match(removed.lines.join('\n'), /systemctl disable --now carp-ovh-check\.service/);
    assert.deepEqual(tree(root), before, 'uninstall leaves the tree as it was');
  });

  it('a non-default config goes on the notify line; the weight keeps share × weight within -253', async () => {
    const root = makeTempDir('keepalived-install');
    const { outcome } = await install(root, { share: 2, config: '/etc/carp-ovh.yaml', timer: 'none' });
    assert.equal(outcome.exitCode, 0, outcome.lines.join('\n'));
    assert.match(
      readFileSync(join(root, 'etc/keepalived/carp-ovh-instance.conf'), 'utf8'),
      new RegExp(`^notify "${NODE} ${CLI} hook --config /etc/carp-ovh.yaml"$`, 'm'),
    );
    assert.match(readFileSync(join(root, 'etc/keepalived/carp-ovh.conf'), 'utf8'), /^ {2}weight -126$/m);
    assert.equal(existsSync(join(root, 'etc/systemd')), false, 'no unit with --timer none');
  });
});
