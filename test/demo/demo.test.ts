/** `npm run demo` as a newcomer runs it: every step of each story must happen, or it exits 1. */
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

test('--story openbsd-cloud plays the OpenBSD Public Cloud failover end to end and says so', async () => {
  const result = await run(['--story', 'openbsd-cloud', '--ovh-delay', '200ms']);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  const out = result.stdout;
  // The timeline: carp0 goes down on the MASTER, ifstated runs the hooks, the IP follows.
  const steps = [
    /bi-edge-sbg-1 +kernel: carp0: state transition: MASTER -> INIT/,
    /bi-edge-sbg-2 +kernel: carp0: state transition: BACKUP -> MASTER/,
    /bi-edge-sbg-2 +ifstated: carp0\.link\.up: run carp-ovh hook carp0 MASTER/,
    /ovh +146\.59\.143\.231 is routed to bi-edge-sbg-2 \(a1b2c3d4-0002\)/,
    /bi-edge-sbg-2 +carp-ovh check: exit 1, carp demote count now 16/,
    /bi-edge-sbg-1 +kernel: carp0: state transition: INIT -> BACKUP/,
    /bi-edge-sbg-2 +kernel: carp0: state transition: MASTER -> BACKUP/,
    /bi-edge-sbg-1 +kernel: carp0: state transition: BACKUP -> MASTER/,
    /ovh +146\.59\.143\.231 is routed to bi-edge-sbg-1 \(a1b2c3d4-0001\)/,
    /hosts +bi-edge-sbg-1 has alias on vio0, bi-edge-sbg-2 has no alias on vio0/,
  ];
  let at = 0;
  for (const step of steps) {
    const found = out.slice(at).search(step);
    assert.ok(found >= 0, `missing or out of order: ${step}\n${out}`);
    at += found + 1;
  }
  // What carp-ovh logged: the alias, then the attach, on each instance that became MASTER.
  assert.match(
    out,
    /bi-edge-sbg-2 +carp-ovh: Added 146\.59\.143\.231\/32 as an alias on vio0\n(.*\n)*?.*bi-edge-sbg-2 +carp-ovh: Attaching 146\.59\.143\.231 to instance bi-edge-sbg-2/,
  );
  assert.match(
    out,
    /bi-edge-sbg-1 +carp-ovh: Added 146\.59\.143\.231\/32 as an alias on vio0\n(.*\n)*?.*bi-edge-sbg-1 +carp-ovh: Attaching 146\.59\.143\.231 to instance bi-edge-sbg-1/,
  );
  assert.match(out, /bi-edge-sbg-2 +carp-ovh: Removed the alias 146\.59\.143\.231 from vio0/);
  const summary = out.slice(out.indexOf('Summary'));
  assert.equal((summary.match(/^ {2}ok {4}/gm) ?? []).length, 6, summary);
  assert.doesNotMatch(summary, /FAIL/);
});

test('a bad flag is a usage error, exit 2', async () => {
  const result = await run(['--ovh-delay', 'soon']);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /--ovh-delay takes a duration/);
  const story = await run(['--story', 'netbsd']);
  assert.equal(story.code, 2);
  assert.match(story.stderr, /--story takes freebsd or openbsd-cloud, got "netbsd"/);
});
