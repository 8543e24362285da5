/**
 * doctor's keepalived checks against keepalived.conf trees written the way
 * operators write them: the installed snippets included, then each way of
 * getting it wrong, each reported with what happens and what to do.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import type { Check, FilePort } from '../../src/core/ports/index.ts';
import { demotedPriority, keepalivedDoctorChecks } from '../../src/platform/keepalived/doctor.ts';
import { instanceSnippet, topLevelSnippet } from '../../src/platform/keepalived/snippet.ts';
import { makeTempDir } from '../support/tmp.ts';

const CLI = '/usr/lib/node_modules/carp-ovh/dist/cli.js';
const NODE = '/usr/bin/node';
const TRACK = '/run/carp-ovh/track';

/** Files under a temp root, read as if it were / (the way doctor's FilePort reads a router). */
function rooted(root: string): FilePort {
  const at = (path: string): string => join(root, path);
  return {
    readText: async (path) => {
      try {
        return readFileSync(at(path), 'utf8');
      } catch {
        return null;
      }
    },
    stat: async (path) => {
      try {
        const info = statSync(at(path));
        return { isFile: info.isFile(), isDirectory: info.isDirectory(), mode: info.mode, uid: info.uid };
      } catch {
        return null;
      }
    },
    list: async (dir) => {
      try {
        return readdirSync(at(dir));
      } catch {
        return [];
      }
    },
    executable: async (path) => path === '/usr/sbin/ip',
  };
}

function put(root: string, path: string, text: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}

interface Setup {
  instanceBody?: string;
  globals?: string;
  running?: boolean;
  topInclude?: boolean;
  share?: number;
  unit?: boolean;
}

function router(setup: Setup = {}): { root: string; files: FilePort } {
  const root = makeTempDir('keepalived-doctor');
  const options = { node: NODE, cli: CLI, configArg: '', trackFile: TRACK, share: setup.share ?? 1 };
  put(root, '/etc/keepalived/carp-ovh.conf', topLevelSnippet(options));
  put(root, '/etc/keepalived/carp-ovh-instance.conf', instanceSnippet(options));
  put(
    root,
    '/etc/keepalived/keepalived.conf',
    `! Configuration File for keepalived
global_defs {
${setup.globals ?? '   script_user root\n   enable_script_security'}
}
${setup.topInclude === false ? '' : 'include /etc/keepalived/carp-ovh.conf\n'}
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority 100
    advert_int 1
    virtual_ipaddress {
        51.68.252.230/32 dev eth0
    }
${setup.instanceBody ?? '    include /etc/keepalived/carp-ovh-instance.conf'}
}
`,
  );
  mkdirSync(join(root, 'run'), { recursive: true });
  if (setup.unit !== false) {
    put(
      root,
      '/etc/systemd/system/carp-ovh-check.service',
      `[Service]\nExecStart=${NODE} --max-semi-space-size=1 --max-old-space-size=64 ${CLI} check --every 10s\n`,
    );
    put(root, '/etc/systemd/system/multi-user.target.wants/carp-ovh-check.service', '');
    put(root, NODE, '');
    put(root, CLI, '');
  }
  if (setup.running !== false) {
    put(root, '/proc/812/comm', 'keepalived\n');
    put(root, '/proc/812/cmdline', 'keepalived\0--dont-fork\0-D\0');
    put(root, '/proc/813/comm', 'keepalived\n');
    put(root, '/proc/813/cmdline', 'keepalived\0--dont-fork\0-D\0');
    put(root, '/proc/900/comm', 'sshd\n');
  }
  return { root, files: rooted(root) };
}

async function checks(setup: Setup = {}, entry = { vrrpInstance: 'VI_1', interface: 'eth0', addresses: ['51.68.252.230'] }): Promise<Map<string, Check>> {
  const { root, files } = router(setup);
  const list = await keepalivedDoctorChecks({
    entries: [entry],
    ip: '/usr/sbin/ip',
    trackFile: TRACK,
    share: setup.share ?? 1,
    files,
    cliPath: CLI,
    procDir: '/proc',
    writable: async (path) => path.startsWith('/run'),
  });
  void root;
  return new Map(list.map((check) => [check.id, check]));
}

function status(map: Map<string, Check>, id: string): string {
  const found = map.get(id);
  assert.ok(found !== undefined, `check ${id} among ${[...map.keys()].join(', ')}`);
  return found.status;
}

describe('doctor on a keepalived router', () => {
  it('a router set up as install says passes every check', async () => {
    const map = await checks();
    for (const check of map.values()) assert.equal(check.status, 'pass', `${check.id}: ${check.detail}`);
    assert.match(map.get('keepalived.running')?.detail ?? '', /pid 812\) with \/etc\/keepalived\/keepalived\.conf/);
    assert.match(
      map.get('keepalived.snippet')?.detail ?? '',
      /track_file carp_ovh watches \/run\/carp-ovh\/track \(weight -253\), from \/etc\/keepalived\/carp-ovh\.conf/,
    );
    assert.match(map.get('keepalived.notify:VI_1')?.detail ?? '', new RegExp(`runs ${NODE} ${CLI} hook`));
    assert.match(map.get('keepalived.weight:VI_1')?.detail ?? '', /advertises 1, below any peer/);
  });

  it('keepalived not running, snippet not included, notify missing: each fails with its fix', async () => {
    const map = await checks({ running: false, topInclude: false, instanceBody: '' });
    assert.equal(status(map, 'keepalived.running'), 'fail');
    assert.equal(status(map, 'keepalived.snippet'), 'fail');
    assert.match(map.get('keepalived.snippet')?.fix ?? '', /include \/etc\/keepalived\/carp-ovh\.conf/);
    assert.equal(status(map, 'keepalived.notify:VI_1'), 'fail');
    assert.match(map.get('keepalived.notify:VI_1')?.detail ?? '', /no notify line/);
    assert.equal(status(map, 'keepalived.weight:VI_1'), 'fail');
  });

  it('a notify by relative path, or to another carp-ovh', async () => {
    const relative = await checks({ instanceBody: '    notify "carp-ovh hook"\n    track_file {\n      carp_ovh\n    }' });
    assert.equal(status(relative, 'keepalived.notify:VI_1'), 'fail');
    assert.match(relative.get('keepalived.notify:VI_1')?.detail ?? '', /not an absolute path/);
    const other = await checks({ instanceBody: '    notify "/opt/old/carp-ovh hook"\n    track_file {\n      carp_ovh\n    }' });
    assert.equal(status(other, 'keepalived.notify:VI_1'), 'warn');
  });

  it('a weight too small to cross the gap, one that faults, and one that raises', async () => {
    const override = await checks({
      instanceBody: '    notify "/usr/bin/node /usr/lib/node_modules/carp-ovh/dist/cli.js hook"\n    track_file {\n      carp_ovh weight -20\n    }',
    });
    assert.equal(status(override, 'keepalived.weight:VI_1'), 'warn');
    assert.match(override.get('keepalived.weight:VI_1')?.detail ?? '', /advertises 80; a peer configured at 80 or lower does not take over/);
    const raising = await checks({
      instanceBody: '    notify "/usr/bin/node /usr/lib/node_modules/carp-ovh/dist/cli.js hook"\n    track_file {\n      carp_ovh weight 20\n    }',
    });
    assert.equal(status(raising, 'keepalived.weight:VI_1'), 'fail');
    const faulting = await checks({
      share: 3,
      instanceBody: '    notify "/usr/bin/node /usr/lib/node_modules/carp-ovh/dist/cli.js hook"\n    track_file {\n      carp_ovh weight -100\n    }',
    });
    assert.equal(status(faulting, 'keepalived.weight:VI_1'), 'warn');
    assert.match(faulting.get('keepalived.weight:VI_1')?.detail ?? '', /FAULT/);
  });

  it('nopreempt is a warning that says what then happens', async () => {
    const map = await checks({ instanceBody: '    nopreempt\n    include /etc/keepalived/carp-ovh-instance.conf' });
    assert.equal(status(map, 'keepalived.preempt:VI_1'), 'warn');
    assert.match(map.get('keepalived.preempt:VI_1')?.detail ?? '', /never takes over from a peer that is MASTER, even when that peer is demoted/);
  });

  it('the VIP not in the instance, or the instance not there', async () => {
    const wrongIp = await checks({}, { vrrpInstance: 'VI_1', interface: 'eth0', addresses: ['51.68.252.231'] });
    assert.equal(status(wrongIp, 'keepalived.instance:VI_1'), 'fail');
    const wrongIface = await checks({}, { vrrpInstance: 'VI_1', interface: 'eth1', addresses: ['51.68.252.230'] });
    assert.equal(status(wrongIface, 'keepalived.instance:VI_1'), 'fail');
    const absent = await checks({}, { vrrpInstance: 'VI_9', interface: 'eth0', addresses: ['51.68.252.230'] });
    assert.equal(status(absent, 'keepalived.instance:VI_9'), 'fail');
  });

  it('no systemd unit: nothing runs the checks', async () => {
    const map = await checks({ unit: false });
    assert.equal(status(map, 'install.timer'), 'fail');
    assert.match(map.get('install.timer')?.detail ?? '', /never demoted/);
  });

  it('script_user not root is a warning', async () => {
    const map = await checks({ globals: '   router_id r1' });
    assert.equal(status(map, 'keepalived.script_user'), 'warn');
  });

  it('demoted priority: clamped at 1, FAULT below -253 or with weight 0', () => {
    assert.equal(demotedPriority(100, -253, 1), 1);
    assert.equal(demotedPriority(100, -20, 1), 80);
    assert.equal(demotedPriority(100, -200, 2), 'FAULT');
    assert.equal(demotedPriority(100, 0, 1), 'FAULT');
    assert.equal(demotedPriority(250, 10, 1), 254);
  });
});
