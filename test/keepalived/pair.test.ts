/**
 * The real-keepalived harness on its own, with a recording notify program: the
 * elections the end-to-end story relies on happen, and keepalived's `notify`
 * hands over exactly the arguments carp-ovh's keepalived hook parses.
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createKeepalivedPair, IP, skipUnlessKeepalived, type KeepalivedPair } from '../support/keepalived-pair.ts';
import { makeTempDir } from '../support/tmp.ts';
import { waitUntil } from '../support/wait.ts';

const skip = skipUnlessKeepalived();

function recorder(): { program: string; calls: () => string[][] } {
  const dir = makeTempDir('keepalived-notify');
  chmodSync(dir, 0o755);
  const out = join(dir, 'calls');
  const program = join(dir, 'record');
  // One line per call, the arguments separated by tabs, so the test sees argv as keepalived passed it.
  writeFileSync(program, `#!/bin/sh\n(IFS='\t'; printf '%s\\n' "$*") >> ${out}\n`);
  chmodSync(program, 0o755);
  return {
    program,
    calls: () =>
      existsSync(out)
        ? readFileSync(out, 'utf8')
            .split('\n')
            .filter((line) => line !== '')
            .map((line) => line.split('\t'))
        : [],
  };
}

/** The shared wait (test/support/wait.ts), with this file's argument order. */
function until(condition: () => boolean, what: string, timeoutMs?: number): Promise<void> {
  return waitUntil(what, condition, timeoutMs === undefined ? {} : { timeoutMs });
}

test('two keepalived nodes elect, fail over on a death, and move on a track file', { skip, timeout: 110_000 }, async () => {
  const notifyA = recorder();
  const notifyB = recorder();
  let pair: KeepalivedPair | undefined;
  try {
    pair = createKeepalivedPair({
      a: { name: 'a', priority: 100, mac: '02:00:00:00:0a:01', address: '192.0.2.1', notify: [notifyA.program, 'hook'] },
      b: { name: 'b', priority: 100, mac: '02:00:00:00:0b:01', address: '192.0.2.2', notify: [notifyB.program, 'hook'] },
      weight: -20,
      label: 'keepalived-harness',
    });
    const { a, b } = pair;
    const started = performance.now();
    await a.start();
    await a.waitState('MASTER');
    await a.waitVip(true);
    console.log(`first MASTER after ${Math.round(performance.now() - started)} ms`);
    await until(() => notifyA.calls().some((c) => c.join(' ') === 'hook INSTANCE VI_1 MASTER 100'), 'notify on a: hook INSTANCE VI_1 MASTER 100');

    // Equal priorities: b, started second, stays BACKUP behind a's adverts.
    await b.start();
    await b.waitState('BACKUP');
    assert.equal(a.state(), 'MASTER');

    const death = performance.now();
    await a.kill('SIGKILL');
    const promoted = await b.waitState('MASTER');
    await b.waitVip(true);
    console.log(`b MASTER ${Math.round(promoted - death)} ms after a's death`);
    await until(() => notifyB.calls().some((c) => c.join(' ') === 'hook INSTANCE VI_1 MASTER 100'), 'notify on b: MASTER');

    // a comes back at the same priority: no preemption until b's track file lowers b.
    await a.start();
    await a.waitState('BACKUP');
    assert.equal(b.state(), 'MASTER');
    const demoted = performance.now();
    b.writeTrack(1);
    await b.waitPriority(80);
    const back = await a.waitState('MASTER');
    await b.waitState('BACKUP');
    await a.waitVip(true);
    await b.waitVip(false);
    console.log(`a MASTER again ${Math.round(back - demoted)} ms after b's track file went to 1`);
    await until(() => notifyB.calls().some((c) => c.join(' ') === 'hook INSTANCE VI_1 BACKUP 80'), 'notify on b: BACKUP 80 (effective priority)');
    for (const call of [...notifyA.calls(), ...notifyB.calls()]) {
      assert.equal(call.length, 5, `notify passes 4 arguments after ours: ${call.join(' ')}`);
      assert.match(call.slice(1).join(' '), /^INSTANCE VI_1 (MASTER|BACKUP|FAULT|STOP) \d+$/);
    }
  } finally {
    await pair?.close();
  }
  if (pair !== undefined) {
    const left = (await import('node:child_process')).execFileSync(IP, ['netns', 'list'], { encoding: 'utf8' });
    assert.doesNotMatch(left, new RegExp(`cok-${process.pid}-`), 'the namespaces are gone');
  }
});
