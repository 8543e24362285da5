/**
 * devd passes `$subsystem $type` through /bin/sh -c. Whatever arrives, a bad
 * argument is exit 2 with a usage line: no network call, no worker, nothing run.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { seedPair, startWorld, type Router, type World } from '../support/world.ts';

describe('hook argument validation (subprocess)', () => {
  let world: World;
  let router: Router;
  before(async () => {
    world = await startWorld({ label: 'hook-args' });
    router = seedPair(world).r002;
    router.setState('MASTER');
  });
  after(() => world.close());

  const marker = (): string => join(world.dir, 'PWNED');
  const bad: Array<[string, string[]]> = [
    ['no arguments', []],
    ['one argument', ['2@vmx1']],
    ['three arguments', ['2@vmx1', 'MASTER', 'extra']],
    ['vhid 0', ['0@vmx1', 'MASTER']],
    ['vhid 256', ['256@vmx1', 'MASTER']],
    ['leading zero', ['02@vmx1', 'MASTER']],
    ['negative vhid', ['-2@vmx1', 'MASTER']],
    ['no @', ['2vmx1', 'MASTER']],
    ['empty subsystem', ['', 'MASTER']],
    ['empty type', ['2@vmx1', '']],
    ['uppercase interface', ['2@VMX1', 'MASTER']],
    ['interface starting with a digit', ['2@1vmx', 'MASTER']],
    ['interface with ..', ['2@vmx..1', 'MASTER']],
    ['interface of 16 characters', ['2@abcdefghijklmnop', 'MASTER']],
    ['command substitution', ['2@vmx1$(touch PWNED)', 'MASTER']],
    ['backticks', ['2@vmx1`touch PWNED`', 'MASTER']],
    ['semicolon in type', ['2@vmx1', 'MASTER;touch PWNED']],
    ['pipe', ['2@vmx1|touch PWNED', 'MASTER']],
    ['newline in subsystem', ['2@vmx1\ntouch PWNED', 'MASTER']],
    ['newline in type', ['2@vmx1', 'MASTER\n']],
    ['NUL-like escape', ['2@vmx1\\0', 'MASTER']],
    ['unicode homoglyph', ['2@vmх1', 'MASTER']],
    ['huge subsystem', [`2@${'a'.repeat(100_000)}`, 'MASTER']],
    ['huge type', ['2@vmx1', 'M'.repeat(100_000)]],
    ['unknown state', ['2@vmx1', 'PRIMARY']],
    ['unknown option', ['2@vmx1', 'MASTER', '--now']],
    ['double @', ['2@vmx1@x', 'MASTER']],
  ];

  for (const [name, args] of bad) {
    test(`${name}: exit 2, usage, no OVH call, no worker, nothing executed`, async () => {
      world.ovh.clearLog();
      const result = await router.cli(['hook', ...args]);
      assert.equal(result.code, 2, `${result.stdout}${result.stderr}`);
      assert.match(result.stderr, /^carp-ovh: .*\n?(usage: carp-ovh hook <vhid@iface> <MASTER\|BACKUP\|INIT> \[--wait\])?/);
      assert.ok(result.stderr.length < 2000, 'bad input is quoted bounded, not echoed whole');
      assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
      assert.equal(world.ovh.requests().length, 0);
      assert.equal(existsSync(router.stateDir), false, 'no worker ran');
      assert.equal(existsSync(marker()), false);
      assert.equal(existsSync(join('/', 'PWNED')), false);
    });
  }

  test('any case of the type is accepted (devd matches case-insensitively)', async () => {
    for (const type of ['master', 'Backup', 'INIT']) {
      const result = await router.cli(['hook', '2@vmx1', type, '--wait']);
      assert.equal(result.code, 0, result.stderr);
    }
  });

  test('interface names FreeBSD uses are accepted: vlan, underscore, dot, 15 characters', async () => {
    for (const subsystem of ['1@em0', '255@vlan0.100', '3@lagg_0', '4@abcdefghijklmno']) {
      const result = await router.cli(['hook', subsystem, 'BACKUP', '--wait']);
      assert.equal(result.code, 0, `${subsystem}: ${result.stderr}`);
    }
  });
});
