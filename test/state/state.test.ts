import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { StateDir } from '../../src/state.ts';
import { makeTempDir } from '../support/tmp.ts';

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  const pid = child.pid ?? 0;
  await new Promise((resolve) => child.on('close', resolve));
  return pid;
}

describe('state dir', () => {
  test('created 0700, and an existing loose dir is tightened', async () => {
    const root = makeTempDir('state');
    const state = new StateDir(join(root, 'a', 'b'));
    await state.ensure();
    assert.equal(statSync(state.path).mode & 0o777, 0o700);
    const loose = join(root, 'loose');
    await new StateDir(loose).ensure();
    (await import('node:fs')).chmodSync(loose, 0o755);
    await new StateDir(loose).ensure();
    assert.equal(statSync(loose).mode & 0o777, 0o700);
  });

  test('atomic JSON write and read back; file 0600; no temp file left', async () => {
    const state = new StateDir(makeTempDir('state-json'));
    await state.ensure();
    await state.writeJson('last-claim.json', { result: 'ok', n: 1 });
    await state.writeJson('last-claim.json', { result: 'ok', n: 2 });
    assert.deepEqual((await state.readJson('last-claim.json')).value, { result: 'ok', n: 2 });
    assert.equal(statSync(state.file('last-claim.json')).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(state.path), ['last-claim.json']);
    assert.deepEqual(await state.readJson('absent.json'), { value: null });
  });

  test('a torn state file is reported, set aside and replaced, never fatal', async () => {
    const state = new StateDir(makeTempDir('state-torn'));
    await state.ensure();
    writeFileSync(state.file('last-claim.json'), '{"result": "ok", "n"');
    const read = await state.readJson('last-claim.json');
    assert.equal(read.value, null);
    assert.match(read.problem ?? '', /was unreadable \(not JSON\); moved to .*last-claim\.json\.corrupt-\d+/);
    assert.equal(existsSync(state.file('last-claim.json')), false);
    await state.writeJson('last-claim.json', { n: 3 });
    assert.deepEqual((await state.readJson('last-claim.json')).value, { n: 3 });
  });

  test('state file names cannot escape the dir', () => {
    const state = new StateDir('/tmp/x');
    assert.throws(() => state.file('../etc/passwd'));
    assert.throws(() => state.file('a/b'));
  });

  test('lock: exclusive while held, free after release', async () => {
    const state = new StateDir(makeTempDir('state-lock'));
    await state.ensure();
    const lock = await state.tryLock('claim', 'test');
    assert.ok(lock);
    assert.equal(await state.tryLock('claim', 'second'), null);
    assert.equal((await state.lockHolder('claim'))?.pid, process.pid);
    await lock.release();
    const again = await state.tryLock('claim', 'third');
    assert.ok(again);
    await again.release();
  });

  test('lock held by a live process in another process is respected', async () => {
    const state = new StateDir(makeTempDir('state-lock-live'));
    await state.ensure();
    // Alive until the test ends it, however long the test takes on a loaded machine.
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      writeFileSync(state.file('claim.lock'), JSON.stringify({ pid: child.pid, since: new Date().toISOString(), purpose: 'x' }));
      assert.equal(await state.tryLock('claim', 'me'), null);
      const waited = await state.waitLock('claim', 'me', { deadline: Date.now() + 150, pollMs: 20 });
      assert.equal(waited, null);
    } finally {
      child.kill();
      await exited;
    }
  });

  test('stale lock from a dead pid is taken over; concurrent takeovers leave exactly one holder', async () => {
    const state = new StateDir(makeTempDir('state-stale'));
    await state.ensure();
    writeFileSync(state.file('claim.lock'), JSON.stringify({ pid: await deadPid(), since: 'then', purpose: 'crashed' }));
    const attempts = await Promise.all(Array.from({ length: 10 }, (_, i) => state.tryLock('claim', `contender-${i}`)));
    assert.equal(attempts.filter((lock) => lock !== null).length, 1);
    assert.equal((await state.lockHolder('claim'))?.pid, process.pid);
  });

  test('a torn lock file is taken over once it is old enough, not while it may be mid-write', async () => {
    const state = new StateDir(makeTempDir('state-torn-lock'));
    await state.ensure();
    writeFileSync(state.file('claim.lock'), '');
    assert.equal(await state.tryLock('claim', 'fresh'), null);
    const { utimesSync } = await import('node:fs');
    const old = new Date(Date.now() - 60_000);
    utimesSync(state.file('claim.lock'), old, old);
    const lock = await state.tryLock('claim', 'later');
    assert.ok(lock);
    await lock.release();
  });
});
