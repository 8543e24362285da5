/** The shipped timer and OPNsense service-status files: placeholders only for paths, and they run as shipped. */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { renderTemplate } from '../../src/install/templates.ts';
import { CLI_PATH } from '../support/cli.ts';
import { healthRouter, lastCheck } from '../support/health.ts';
import { makeTempDir } from '../support/tmp.ts';
import { startWorld, type Router, type World } from '../support/world.ts';

const HOOKS = fileURLToPath(new URL('../../hooks/', import.meta.url));
const SHIPPED = [
  'rc.carp_service_status.d/carp-ovh-vault',
  'rc.carp_service_status.d/carp-ovh-ovh-api',
  'rc.carp_service_status.d/carp-ovh-claim',
  'cron.d/carp-ovh',
  'rc.d/carp_ovh',
];
/** What cron, devd and OPNsense's configd give a command: no /usr/local/bin, no node. */
const SYSTEM_PATH = '/sbin:/bin:/usr/sbin:/usr/bin';

/** Asynchronous: the stand-ins answer from this process, which must not block while the child runs. */
function runAsync(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { env, encoding: 'utf8', timeout: 20_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
      resolve({ status: code, stdout, stderr });
    });
  });
}

/** As `carp-ovh install` renders them. */
function render(relative: string, router: Router): string {
  return renderTemplate(readFileSync(join(HOOKS, relative), 'utf8'), { node: process.execPath, cli: CLI_PATH, config: router.configPath }, relative);
}

describe('shipped hooks', () => {
  let world: World;
  let dir: string;
  before(async () => {
    world = await startWorld({ label: 'health-hooks' });
    dir = makeTempDir('health-hooks-rendered');
  });
  after(() => world.close());

  test('every file is there, uses only the %%NODE%% %%CLI%% %%CONFIG%% placeholders, and the scripts parse', () => {
    for (const relative of SHIPPED) {
      const text = readFileSync(join(HOOKS, relative), 'utf8');
      const placeholders = new Set(text.match(/%%[A-Z_]+%%/g) ?? []);
      assert.deepEqual([...placeholders].sort(), ['%%CLI%%', '%%CONFIG%%', '%%NODE%%'], relative);
      assert.match(text, /%%NODE%% (--max-semi-space-size=1 --max-old-space-size=\S+ )?%%CLI%%%%CONFIG%% (probe|check)/, relative);
      // Every loop runs with a small young generation and a heap cap (docs/health.md, "Memory").
      if (/check --every/.test(text) && !relative.startsWith('cron.d/'))
        assert.match(text, /%%NODE%% --max-semi-space-size=1 --max-old-space-size=\S+ %%CLI%%/, relative);
      if (!relative.startsWith('cron.d/')) {
        assert.ok((statSync(join(HOOKS, relative)).mode & 0o111) !== 0, `${relative} is executable`);
        execFileSync('/bin/sh', ['-n', join(HOOKS, relative)]);
      }
    }
    assert.deepEqual(readdirSync(join(HOOKS, 'rc.carp_service_status.d')).sort(), ['carp-ovh-claim', 'carp-ovh-ovh-api', 'carp-ovh-vault']);
  });

  test('the OPNsense service-status scripts run with a PATH without node: exit 0 healthy, 1 for the failing service only', async () => {
    const router = healthRouter(world);
    const run = (name: string) => {
      const path = join(dir, `${router.name}-${name}`);
      writeFileSync(path, render(`rc.carp_service_status.d/${name}`, router), { mode: 0o755 });
      return runAsync(path, [], { PATH: SYSTEM_PATH });
    };
    for (const name of ['carp-ovh-vault', 'carp-ovh-ovh-api', 'carp-ovh-claim']) {
      const result = await run(name);
      assert.equal(result.status, 0, `${name}: ${result.stdout}${result.stderr}`);
    }
    world.vault.seal();
    try {
      assert.equal((await run('carp-ovh-vault')).status, 1);
      assert.equal((await run('carp-ovh-ovh-api')).status, 0, 'not run: vault names the service');
      assert.equal((await run('carp-ovh-claim')).status, 0, 'BACKUP: nothing to verify at OVH');
    } finally {
      world.vault.unseal();
    }
  });

  test("the cron line: every minute, as root, absolute paths, runs under cron's PATH", async () => {
    const router = healthRouter(world);
    const lines = render('cron.d/carp-ovh', router)
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('#') && !line.includes('='));
    assert.equal(lines.length, 1);
    const fields = (lines[0] ?? '').split(/\t+/);
    assert.deepEqual(fields.slice(0, 6), ['*', '*', '*', '*', '*', 'root']);
    const command = fields.slice(6).join(' ');
    assert.match(command, /^\/\S+ \/\S+ --config \/\S+ check >\/dev\/null 2>&1$/);
    const result = await runAsync('/bin/sh', ['-c', command], { PATH: SYSTEM_PATH, SHELL: '/bin/sh' });
    assert.equal(result.status, 0, result.stderr);
    assert.equal(lastCheck(router)?.healthy, true);
  });

  test('the rc.d script runs `check --every` under daemon(8), restarted, logging to syslog', () => {
    const text = readFileSync(join(HOOKS, 'rc.d/carp_ovh'), 'utf8');
    assert.match(text, /^# PROVIDE: carp_ovh$/m);
    assert.match(text, /^rcvar="carp_ovh_enable"$/m);
    assert.match(text, /^: \$\{carp_ovh_enable:="NO"\}$/m);
    assert.match(text, /^: \$\{carp_ovh_interval:="10s"\}$/m);
    assert.match(text, /^command="\/usr\/sbin\/daemon"$/m);
    assert.match(
      text,
      /^command_args="-f -R 5 -P \$\{pidfile\} -S -l daemon -T carp-ovh-check %%NODE%% --max-semi-space-size=1 --max-old-space-size=\$\{carp_ovh_heap_mb\} %%CLI%%%%CONFIG%% check --every \$\{carp_ovh_interval\}"$/m,
    );
    assert.match(text, /^: \$\{carp_ovh_heap_mb:="64"\}$/m);
    assert.match(text, /^run_rc_command "\$1"$/m);
  });
});
