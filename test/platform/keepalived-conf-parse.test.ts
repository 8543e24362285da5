import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { child, findAll, parseKeepalivedConf, type ConfFiles } from '../../src/platform/keepalived/conf-parse.ts';

function files(tree: Record<string, string>): ConfFiles {
  return {
    readText: async (path) => tree[path] ?? null,
    list: async (dir) =>
      Object.keys(tree)
        .filter((path) => path.startsWith(`${dir}/`) && !path.slice(dir.length + 1).includes('/'))
        .map((path) => path.slice(dir.length + 1)),
  };
}

describe('keepalived.conf reader', () => {
  it('blocks, comments, quoted words, a brace on its own line', async () => {
    const conf = await parseKeepalivedConf(
      '/k.conf',
      files({
        '/k.conf': `! comment
global_defs {   # trailing comment
  script_user root
}
vrrp_instance VI_1
{
  priority 100
  notify "/usr/bin/node /opt/cli.js hook"
  virtual_ipaddress {
    51.68.252.230/32 dev eth0
  }
}
`,
      }),
    );
    assert.ok(conf !== null);
    assert.deepEqual(conf.problems, []);
    const instance = findAll(conf.nodes, 'vrrp_instance')[0];
    assert.equal(instance?.args[0], 'VI_1');
    assert.deepEqual(child(instance!, 'notify')?.args, ['/usr/bin/node /opt/cli.js hook']);
    assert.equal(child(instance!, 'priority')?.args[0], '100');
    assert.equal(child(instance!, 'virtual_ipaddress')?.children?.[0]?.keyword, '51.68.252.230/32');
    assert.equal(findAll(conf.nodes, 'script_user')[0]?.at, '/k.conf:3');
  });

  it('include splices files in place, inside blocks too, with globs and relative paths', async () => {
    const conf = await parseKeepalivedConf(
      '/etc/keepalived/keepalived.conf',
      files({
        '/etc/keepalived/keepalived.conf': 'include conf.d/*.conf\nvrrp_instance VI_1 {\n  include /etc/keepalived/inner.conf\n}\n',
        '/etc/keepalived/conf.d/10-a.conf': 'track_file carp_ovh {\n  file /run/carp-ovh/track\n}\n',
        '/etc/keepalived/conf.d/20-b.conf': 'vrrp_script chk {\n}\n',
        '/etc/keepalived/conf.d/notes.txt': 'ignored {',
        '/etc/keepalived/inner.conf': 'nopreempt\n',
      }),
    );
    assert.ok(conf !== null);
    assert.deepEqual(conf.problems, []);
    assert.deepEqual(conf.files, [
      '/etc/keepalived/keepalived.conf',
      '/etc/keepalived/conf.d/10-a.conf',
      '/etc/keepalived/conf.d/20-b.conf',
      '/etc/keepalived/inner.conf',
    ]);
    assert.deepEqual(
      conf.nodes.map((n) => n.keyword),
      ['track_file', 'vrrp_script', 'vrrp_instance'],
    );
    assert.equal(child(conf.nodes[2]!, 'nopreempt')?.at, '/etc/keepalived/inner.conf:1');
  });

  it('reports what it cannot follow instead of guessing', async () => {
    const missing = await parseKeepalivedConf('/k.conf', files({ '/k.conf': 'include /nope.conf\ninclude /none/*.conf\nvrrp_instance X {\n' }));
    assert.ok(missing !== null);
    assert.deepEqual(missing.problems, [
      '/k.conf:1: cannot read included /nope.conf',
      '/k.conf:2: include /none/*.conf matches no file',
      '/k.conf: 1 block(s) not closed',
    ]);
    const loop = await parseKeepalivedConf('/k.conf', files({ '/k.conf': 'include /k.conf\n' }));
    assert.ok(loop?.problems.some((p) => /nested more than 8 deep/.test(p)));
    assert.equal(await parseKeepalivedConf('/absent.conf', files({})), null);
    const stray = await parseKeepalivedConf('/k.conf', files({ '/k.conf': '}\n' }));
    assert.deepEqual(stray?.problems, ['/k.conf:1: "}" without a block to close']);
  });
});
