import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CarpOvhError } from '../../src/errors.ts';
import { HOOK_USAGE, parseHookArgs, parseKeepalivedEvent } from '../../src/platform/keepalived/hook-args.ts';

function refused(argv: string[], pattern: RegExp): void {
  assert.throws(
    () => parseKeepalivedEvent(argv),
    (error: unknown) => {
      assert.ok(error instanceof CarpOvhError);
      assert.equal(error.badInput, true, 'exit 2');
      assert.match(error.message, pattern);
      assert.ok(error.message.endsWith(HOOK_USAGE), 'ends with the usage line');
      return true;
    },
    JSON.stringify(argv),
  );
}

describe('keepalived notify arguments', () => {
  it('reads exactly what keepalived appends: scope, name, state, effective priority', () => {
    assert.deepEqual(parseKeepalivedEvent(['INSTANCE', 'VI_1', 'MASTER', '100']), {
      scope: 'INSTANCE',
      key: 'VI_1',
      keepalivedState: 'MASTER',
      state: 'MASTER',
      priority: 100,
    });
    assert.deepEqual(parseHookArgs(['GROUP', 'VG-edge.1', 'BACKUP', '0']), { key: 'VG-edge.1', state: 'BACKUP' });
    assert.equal(parseKeepalivedEvent(['INSTANCE', 'VI_1', 'BACKUP', '80']).priority, 80);
  });

  it('FAULT, STOP and DELETED are not MASTER', () => {
    for (const state of ['FAULT', 'STOP', 'DELETED']) {
      const event = parseKeepalivedEvent(['INSTANCE', 'VI_1', state, '255']);
      assert.equal(event.state, 'INIT');
      assert.equal(event.keepalivedState, state);
    }
  });

  it('refuses anything else, saying which argument and what was expected', () => {
    refused([], /expected 4 arguments .* got 0/);
    refused(['INSTANCE', 'VI_1', 'MASTER'], /got 3/);
    refused(['INSTANCE', 'VI_1', 'MASTER', '100', 'extra'], /got 5/);
    refused(['instance', 'VI_1', 'MASTER', '100'], /invalid scope "instance"/);
    refused(['INSTANCE', 'VI_1', 'master', '100'], /invalid state "master"/);
    refused(['INSTANCE', 'VI_1', 'INIT', '100'], /invalid state/);
    refused(['INSTANCE', 'VI_1', 'MASTER', '256'], /invalid priority "256"/);
    refused(['INSTANCE', 'VI_1', 'MASTER', '-1'], /invalid priority/);
    refused(['INSTANCE', 'VI_1', 'MASTER', '010'], /invalid priority/);
    refused(['INSTANCE', 'VI_1', 'MASTER', ''], /invalid priority/);
  });

  it('instance names: keepalived-safe characters only, bounded, never a path or an option', () => {
    for (const name of ['VI_1', 'vi-edge', 'a', 'x'.repeat(64), '1st', 'vi.eth0']) {
      assert.equal(parseKeepalivedEvent(['INSTANCE', name, 'MASTER', '100']).key, name);
    }
    for (const name of [
      '',
      '-VI',
      '.hidden',
      '../x',
      'a/b',
      'a b',
      'a\tb',
      'x'.repeat(65),
      'VI_1;rm',
      '$VI',
      'a"b',
      'é',
      'a\u202eb',
      'a\n',
      '_VI',
      'vrrp@eth0',
      'inst:1',
      'v+2',
    ]) {
      refused(['INSTANCE', name, 'MASTER', '100'], /invalid vrrp_instance name/);
    }
    refused(['GROUP', 'a/b', 'MASTER', '100'], /invalid sync group name/);
  });

  it('prints control and bidi characters escaped in the error', () => {
    assert.throws(
      () => parseKeepalivedEvent(['INSTANCE', 'a\u202eb\u001b[31m', 'MASTER', '1']),
      (error: Error) => {
        assert.doesNotMatch(error.message, /[\u202e\u001b]/);
        assert.match(error.message, /\\u202e/);
        return true;
      },
    );
  });
});
