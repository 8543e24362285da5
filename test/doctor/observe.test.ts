/** doctor's metrics.textfile and notify.scripts checks, against a file system given as a map. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Config } from '../../src/config/types.ts';
import { observeChecks } from '../../src/core/doctor/observe.ts';
import type { FilePort } from '../../src/core/doctor/types.ts';

function filesOf(tree: Record<string, 'dir' | 'exec' | 'file'>): FilePort {
  return {
    readText: async () => null,
    stat: async (path) => {
      const kind = tree[path];
      return kind === undefined ? null : { isFile: kind !== 'dir', isDirectory: kind === 'dir', mode: kind === 'exec' ? 0o100755 : 0o100644, uid: 0 };
    },
    list: async (dir) =>
      Object.keys(tree)
        .filter((p) => p.startsWith(`${dir}/`) && !p.slice(dir.length + 1).includes('/'))
        .map((p) => p.slice(dir.length + 1)),
    executable: async (path) => tree[path] === 'exec',
  };
}

function config(metrics: Partial<Config['metrics']>, notify: Partial<Config['notify']>): Config {
  return { metrics: { textfile: null, listen: null, ...metrics }, notify: { scripts: null, timeoutMs: 30_000, maxRunning: 8, ...notify } } as Config;
}

describe('doctor: metrics and notify', () => {
  test('nothing is checked when both are off', async () => {
    assert.deepEqual(await observeChecks(config({}, {}), filesOf({})), []);
  });

  test('metrics.textfile: its directory must exist', async () => {
    const textfile = '/var/tmp/node_exporter/carp_ovh.prom';
    const [ok] = await observeChecks(config({ textfile }, {}), filesOf({ '/var/tmp/node_exporter': 'dir' }));
    assert.equal(ok?.status, 'pass');
    const [missing] = await observeChecks(config({ textfile }, {}), filesOf({}));
    assert.equal(missing?.status, 'fail');
    assert.match(missing?.detail ?? '', /\/var\/tmp\/node_exporter does not exist/);
    assert.match(missing?.fix ?? '', /node_exporter_textfile_dir/);
  });

  test('notify.scripts: a directory with executables passes, an empty one warns, a missing one or a listed non-executable fails', async () => {
    const dir = '/usr/local/etc/carp-ovh/notify.d';
    const scripts = { kind: 'dir' as const, dir };
    const [ok] = await observeChecks(
      config({}, { scripts }),
      filesOf({ [dir]: 'dir', [`${dir}/mail`]: 'exec', [`${dir}/README`]: 'file', [`${dir}/.hidden`]: 'exec' }),
    );
    assert.equal(ok?.status, 'pass');
    assert.match(ok?.detail ?? '', /1 run on each event, at most 30 s each: \/usr\/local\/etc\/carp-ovh\/notify\.d\/mail$/);
    const [empty] = await observeChecks(config({}, { scripts }), filesOf({ [dir]: 'dir', [`${dir}/README`]: 'file' }));
    assert.equal(empty?.status, 'warn');
    const [missing] = await observeChecks(config({}, { scripts }), filesOf({}));
    assert.equal(missing?.status, 'fail');
    const list = { kind: 'list' as const, paths: ['/a/ok', '/a/not'] };
    const [listed] = await observeChecks(config({}, { scripts: list }), filesOf({ '/a/ok': 'exec', '/a/not': 'file' }));
    assert.equal(listed?.status, 'fail');
    assert.match(listed?.detail ?? '', /not executable or missing: \/a\/not$/);
  });
});
