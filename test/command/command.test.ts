import assert from 'node:assert/strict';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { COMMAND_ENV, CommandError, commandRunner, runCommand } from '../../src/command.ts';
import { makeTempDir } from '../support/tmp.ts';
import { waitUntil } from '../support/wait.ts';

/**
 * src/command.ts on real processes: the rules every platform tool, service
 * script and notify script shares (argv without a shell, a fixed environment,
 * bounded output, a deadline that kills the whole process group).
 */

const dir = makeTempDir('command');

function script(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function commandError(promise: Promise<unknown>): Promise<CommandError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof CommandError, `not a CommandError: ${String(error)}`);
    return error;
  }
  assert.fail('the command was expected to fail');
}

describe('command runner', () => {
  test('any exit status is an answer: stdout and stderr as printed, the status, no signal', async () => {
    const path = script('answers', 'printf "out\\n"; printf "err" >&2; exit 3');
    assert.deepEqual(await runCommand(path, [], { timeoutMs: 30_000 }), { stdout: 'out\n', stderr: 'err', exitCode: 3, signal: null });
  });

  test('argv, never a shell: metacharacters arrive as one literal argument', async () => {
    const marker = join(dir, 'injected');
    const path = script('argv', 'for a in "$@"; do printf "[%s]" "$a"; done');
    const done = await runCommand(path, [`x; touch ${marker}`, '$(id)'], { timeoutMs: 30_000 });
    assert.equal(done.stdout, `[x; touch ${marker}][$(id)]`);
    assert.throws(() => readFileSync(marker), { code: 'ENOENT' });
  });

  test('the environment is exactly the one given (COMMAND_ENV by default): nothing of ours leaks', async () => {
    process.env.CARP_OVH_COMMAND_TEST_SECRET = 'must-not-leak';
    try {
      const path = script('env', 'env | sort');
      const plain = await runCommand(path, [], { timeoutMs: 30_000 });
      const lines = plain.stdout.trim().split('\n');
      for (const [key, value] of Object.entries(COMMAND_ENV)) assert.ok(lines.includes(`${key}=${value}`), plain.stdout);
      assert.ok(!plain.stdout.includes('must-not-leak'), plain.stdout);
      const given = await runCommand(path, [], { timeoutMs: 30_000, env: { ONLY: 'this' } });
      assert.ok(given.stdout.split('\n').includes('ONLY=this'), given.stdout);
      assert.ok(!given.stdout.includes('must-not-leak') && !given.stdout.includes('LC_ALL=C'), given.stdout);
    } finally {
      delete process.env.CARP_OVH_COMMAND_TEST_SECRET;
    }
  });

  test('input reaches stdin and is closed; without input stdin is empty; cwd is honoured', async () => {
    const path = script('stdin', 'cat; pwd');
    assert.equal((await runCommand(path, [], { timeoutMs: 30_000, input: 'line one\n', cwd: dir })).stdout, `line one\n${dir}\n`);
    assert.equal((await runCommand(path, [], { timeoutMs: 30_000, cwd: '/' })).stdout, '/\n');
    // A child that never reads its input is not an error of ours.
    const deaf = script('deaf', 'exit 0');
    assert.equal((await runCommand(deaf, [], { timeoutMs: 30_000, input: 'x'.repeat(1 << 20) })).exitCode, 0);
  });

  test('the deadline kills the whole process group, the grandchild too', async () => {
    const pids = join(dir, 'deadline-pids');
    const path = script('hang', `sleep 30 &\necho $! > ${pids}\nwait`);
    const error = await commandError(runCommand(path, [], { timeoutMs: 300 }));
    assert.equal(error.timedOut, true);
    assert.equal(error.isCanceled || error.outputTooLarge, false);
    assert.match(error.message, /hang did not finish within 300 ms and was killed$/);
    const grandchild = Number(readFileSync(pids, 'utf8'));
    await waitUntil('the grandchild to be killed with the group', () => !running(grandchild));
  });

  test('a grandchild in another session that holds the pipes cannot hold the answer past the grace', async () => {
    const pids = join(dir, 'escaped-pids');
    // setsid: a session of its own, out of reach of the group kill, with our stdout still open.
    const path = script('escape', `setsid sleep 30 &\necho $! > ${pids}\nwait`);
    const error = await commandError(runCommand(path, [], { timeoutMs: 300 }));
    assert.equal(error.timedOut, true);
    const escaped = Number(readFileSync(pids, 'utf8'));
    process.kill(escaped, 'SIGKILL');
    await waitUntil('the escaped sleep to be gone', () => !running(escaped));
  });

  test('output past the limit kills the command: outputTooLarge, and stdout and stderr count together', async () => {
    const path = script('chatty', 'printf "%0600d" 0; printf "%0600d" 0 >&2; sleep 30');
    const error = await commandError(runCommand(path, [], { timeoutMs: 30_000, maxOutputBytes: 1000 }));
    assert.equal(error.outputTooLarge, true);
    assert.equal(error.timedOut, false);
    assert.match(error.message, /printed more than 1000 bytes and was killed$/);
    // Under the limit, everything is kept.
    const quiet = script('quiet', 'printf "%0600d" 0');
    assert.equal((await runCommand(quiet, [], { timeoutMs: 30_000, maxOutputBytes: 1000 })).stdout.length, 600);
  });

  test('an abort signal cancels a running command, and an aborted one never runs to its end', async () => {
    const started = join(dir, 'cancel-started');
    const path = script('cancel', `echo $$ > ${started}\nsleep 30`);
    const controller = new AbortController();
    const pending = runCommand(path, [], { timeoutMs: 30_000, signal: controller.signal });
    await waitUntil('the command to start', () => {
      try {
        return readFileSync(started, 'utf8').trim() !== '';
      } catch {
        return false;
      }
    });
    controller.abort();
    const error = await commandError(pending);
    assert.equal(error.isCanceled, true);
    assert.equal(error.signal, 'SIGKILL');
    const before = AbortSignal.abort();
    assert.equal((await commandError(runCommand(path, [], { timeoutMs: 30_000, signal: before }))).isCanceled, true);
  });

  test('a command that cannot start says why: ENOENT, EACCES', async () => {
    const missing = await commandError(runCommand(join(dir, 'nope'), [], { timeoutMs: 30_000 }));
    assert.equal(missing.code, 'ENOENT');
    assert.match(missing.message, /nope ENOENT/);
    const notExecutable = join(dir, 'not-executable');
    writeFileSync(notExecutable, '#!/bin/sh\n');
    assert.equal((await commandError(runCommand(notExecutable, [], { timeoutMs: 30_000 }))).code, 'EACCES');
  });

  test('a signal the command did not get from us is its answer', async () => {
    const path = script('self-kill', 'kill -TERM $$');
    assert.deepEqual(await runCommand(path, [], { timeoutMs: 30_000 }), { stdout: '', stderr: '', exitCode: null, signal: 'SIGTERM' });
  });

  test('start: a long-lived child fed on stdin; one that cannot start reports an error event', async () => {
    const out = join(dir, 'started-out');
    const runner = commandRunner();
    const child = runner.start(script('sink', `cat > ${out}`), [], { cwd: '/', env: { PATH: '/usr/bin:/bin' } });
    const closed = new Promise((resolve) => child.once('close', resolve));
    child.stdin?.end('fed\n');
    await closed;
    assert.equal(readFileSync(out, 'utf8'), 'fed\n');
    const broken = runner.start(join(dir, 'nope'), []);
    const error = await new Promise<NodeJS.ErrnoException>((resolve) => broken.once('error', resolve));
    assert.equal(error.code, 'ENOENT');
  });
});
