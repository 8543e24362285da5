/** `npm run demo` as a newcomer runs it: every step of the story must happen, or it exits 1. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const DEMO = fileURLToPath(new URL('../../demo/run.ts', import.meta.url));

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [DEMO, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('the demo plays the seed failover end to end and says so', async () => {
  const result = await run(['--ovh-delay', '200ms']);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  assert.match(result.stdout, /router-003 +kernel: carp: 2@vmx1: MASTER -> INIT/);
  assert.match(result.stdout, /router-002 +kernel: carp: 2@vmx1: BACKUP -> MASTER \(master timed out\)/);
  assert.match(result.stdout, /router-002 +carp-ovh: 51\.68\.252\.230 attached to 00:50:56:09:3c:f2 after/);
  assert.match(result.stdout, /router-002 +carp-ovh check: exit 1, demotion now 1048576/);
  assert.match(result.stdout, /router-003 +kernel: carp: 2@vmx1: BACKUP -> MASTER \(preempting a slower master\)/);
  assert.match(result.stdout, /router-003 +carp-ovh: 51\.68\.252\.230 attached to 00:50:56:09:98:fc after/);
  const summary = result.stdout.slice(result.stdout.indexOf('Summary'));
  assert.equal((summary.match(/^ {2}ok {4}/gm) ?? []).length, 5, summary);
  assert.doesNotMatch(summary, /FAIL/);
});

test('a bad flag is a usage error, exit 2', async () => {
  const result = await run(['--ovh-delay', 'soon']);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /--ovh-delay takes a duration/);
});
