/**
 * Crash safety: a worker killed with SIGKILL between DELETE and POST, locks left
 * by dead (or long gone) processes, state files torn or holding the wrong shape,
 * and a state dir that survived a reboot. Every case runs the real CLI.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { isAlive } from '../../src/state.ts';
import { checkJson } from '../support/health.ts';
import { seedState } from '../support/ovh-sim/state.ts';
import { lockPid } from '../support/reliability-logs.ts';
import { holdersOf, seedPair, SEED_MAC_ROUTER_002, SEED_MAC_ROUTER_003, startWorld, type Router, type World } from '../support/world.ts';
import { waitUntil } from '../support/wait.ts';

const BIT = 1_048_576;
const DELETE_FAULT = {
  method: 'DELETE' as const,
  path: '/dedicated/server/*/virtualMac/*/virtualAddress/*',
  action: { type: 'status' as const, status: 403, errorCode: 'NOT_GRANTED_CALL', message: 'This call has not been granted' },
};

/** A pid that was just in use and is now free (its process exited). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  const pid = child.pid;
  await new Promise((resolve) => child.on('close', resolve));
  assert.ok(pid !== undefined && !isAlive(pid));
  return pid;
}

/** A monotonic-clock value this boot will not reach for ~11 days: what a longer, earlier boot leaves behind. */
function earlierBootSeq(): string {
  return (process.hrtime.bigint() + 1_000_000_000_000_000n).toString();
}

function writeStateFile(router: Router, name: string, text: string): void {
  writeFileSync(join(router.stateDir, name), text, { mode: 0o600 });
}

function readStateFile(router: Router, name: string): unknown {
  return JSON.parse(readFileSync(join(router.stateDir, name), 'utf8'));
}

function setAside(router: Router, name: string): string[] {
  return readdirSync(router.stateDir).filter((file) => file.startsWith(`${name}.corrupt-`));
}

/** router-002, MASTER here or not, with the seed placement at OVH and a state dir as a previous run left it. */
function freshRouter(world: World, state: 'MASTER' | 'BACKUP' = 'MASTER'): Router {
  world.ovh.setState(seedState());
  const { r002 } = seedPair(world);
  r002.setState(state);
  mkdirSync(r002.stateDir, { recursive: true, mode: 0o700 });
  return r002;
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function noStack(text: string): void {
  assert.doesNotMatch(text, /\n\s+at .+:\d+:\d+/, `a stack trace:\n${text}`);
  assert.doesNotMatch(text, /(TypeError|RangeError|SyntaxError|ReferenceError)/, `an uncaught exception type:\n${text}`);
}

describe('crash safety', () => {
  let world: World;
  before(async () => {
    world = await startWorld({ label: 'crash-safety', ovh: { delays: { delete: 60, add: 60 } } });
  });
  after(() => world.close());

  test('the detached worker killed with SIGKILL between DELETE and POST: the next check re-attaches the VIP', async () => {
    world.ovh.setDelays({ delete: 500, add: 60 });
    try {
      const router = freshRouter(world);
      world.ovh.clearLog();
      assert.equal((await router.hook('MASTER')).code, 0);
      await waitUntil('the DELETE', () => world.ovh.requests().some((r) => r.method === 'DELETE' && r.status < 300));
      const pid = lockPid(router);
      assert.ok(pid !== null, 'the worker holds the claim lock');
      process.kill(pid, 'SIGKILL');
      await waitUntil('the worker to die', () => !isAlive(pid));
      await world.ovh.waitForTasks();
      assert.deepEqual(holdersOf(world), [], 'detached from every vMAC: what the crash left');
      assert.equal(lockPid(router), pid, 'the dead worker left its lock behind');

      const checked = await checkJson(router);
      assert.equal(checked.result.code, 0, checked.context);
      assert.match(checked.report.probes.find((p) => p.name === 'claim')?.detail ?? '', /repaired/);
      await world.ovh.waitForTasks();
      assert.deepEqual(holdersOf(world), [SEED_MAC_ROUTER_002]);
      assert.equal(world.ovh.conflicts, 0);
      assert.equal(router.demotion(), 0);
      assert.equal(lockPid(router), null, 'the check took the stale lock over and released it');
    } finally {
      world.ovh.setDelays({ delete: 60, add: 60 });
    }
  });

  test('a claim lock left by a dead pid is taken over by the next hook at once', async () => {
    const router = freshRouter(world);
    writeStateFile(router, 'claim.lock', JSON.stringify({ pid: await deadPid(), since: new Date().toISOString(), purpose: 'hook 2@vmx1 MASTER' }));
    const result = await router.hook('MASTER', { wait: true });
    assert.equal(result.code, 0, result.stderr);
    // Waiting for the dead holder would end at the claim deadline (30 s here) with the claim failed;
    // the bound, well below it, holds on a loaded machine.
    assert.ok(result.durationMs < 20_000, `took ${Math.round(result.durationMs)} ms: it waited for a dead holder`);
    assert.deepEqual(holdersOf(world), [SEED_MAC_ROUTER_002]);
    assert.equal(lockPid(router), null);
  });

  test('a torn claim lock (its writer died mid-write) is taken over once old enough', async () => {
    const router = freshRouter(world);
    const path = join(router.stateDir, 'claim.lock');
    writeFileSync(path, '{"pid": 12');
    const old = new Date(Date.now() - 60_000);
    utimesSync(path, old, old);
    const result = await router.hook('MASTER', { wait: true });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(holdersOf(world), [SEED_MAC_ROUTER_002]);
  });

  test('stale demotion, check and event locks from dead pids do not block anything', async () => {
    const router = freshRouter(world);
    const since = new Date().toISOString();
    for (const name of ['demotion.lock', 'check.lock', 'event-2@vmx1.lock']) {
      writeStateFile(router, name, JSON.stringify({ pid: await deadPid(), since, purpose: 'dead' }));
    }
    world.ovh.addFault(DELETE_FAULT);
    try {
      const failed = await router.hook('MASTER', { wait: true });
      assert.equal(failed.code, 1, failed.stderr);
    } finally {
      world.ovh.clearFaults();
    }
    assert.equal(router.demotion(), BIT, 'the demotion was written despite the stale demotion lock');
    const checked = await checkJson(router);
    assert.equal(checked.result.code, 0, checked.context);
    assert.deepEqual(holdersOf(world), [SEED_MAC_ROUTER_002], 'the check repaired the placement');
  });

  describe('a state dir that survived a reboot', () => {
    test('an event recorded in an earlier, longer boot does not make every new event look old', async () => {
      const router = freshRouter(world);
      writeStateFile(router, 'event-2@vmx1.json', JSON.stringify({ seq: earlierBootSeq(), type: 'BACKUP', at: '2026-01-01T00:00:00.000Z', pid: 4242 }));
      const hooked = await router.hook('MASTER', { wait: true });
      assert.equal(hooked.code, 0, hooked.stderr);
      assert.doesNotMatch(hooked.stderr, /arrived after a newer one/);
      assert.deepEqual(holdersOf(world), [SEED_MAC_ROUTER_002]);
    });

    test('the same leftover event does not cancel the repair of a check or a reconcile', async () => {
      for (const command of ['check', 'reconcile'] as const) {
        const router = freshRouter(world);
        writeStateFile(router, 'event-2@vmx1.json', JSON.stringify({ seq: earlierBootSeq(), type: 'BACKUP', at: '2026-01-01T00:00:00.000Z', pid: 4242 }));
        const result = command === 'check' ? (await checkJson(router)).result : await router.cli(['reconcile', '--wait']);
        assert.equal(result.code, 0, `${command}: ${result.stdout}${result.stderr}`);
        await world.ovh.waitForTasks();
        assert.deepEqual(holdersOf(world), [SEED_MAC_ROUTER_002], command);
      }
    });

    test('a claim lock from an earlier boot whose pid now belongs to another live process is taken over', async () => {
      const router = freshRouter(world);
      // This test runner is alive and is not a claim: exactly what a reused pid looks like.
      writeStateFile(
        router,
        'claim.lock',
        JSON.stringify({ pid: process.pid, since: '2026-01-01T00:00:00.000Z', purpose: 'hook 2@vmx1 MASTER', mono: earlierBootSeq() }),
      );
      const result = await router.hook('MASTER', { wait: true });
      assert.equal(result.code, 0, result.stderr);
      // As above: well below the 30 s claim deadline a wait for the holder would run into.
      assert.ok(result.durationMs < 20_000, `took ${Math.round(result.durationMs)} ms: it waited for the holder`);
      assert.deepEqual(holdersOf(world), [SEED_MAC_ROUTER_002]);
    });
  });

  describe('torn or misshapen state files are detected and replaced, never fatal', () => {
    const TORN = '{"reasons": {"claim": {"since": "2026-11-0';
    // The check reads last-claim.json only while the `claim` reason holds.
    const CLAIM_REASON = { 'demotion.json': JSON.stringify({ reasons: { claim: { since: '2026-01-01T00:00:00.000Z', detail: 'claim failed' } } }) };
    const cases: Array<{
      file: string;
      content: string;
      command: 'hook' | 'failing hook' | 'check';
      valid: (value: unknown) => boolean;
      also?: Record<string, string>;
    }> = [
      { file: 'last-claim.json', content: TORN, command: 'hook', valid: (v) => (v as { result?: unknown }).result === 'ok' },
      { file: 'last-claim.json', content: '[1, 2', command: 'check', valid: () => true, also: CLAIM_REASON },
      { file: 'last-claim.json', content: '[]', command: 'check', valid: () => true, also: CLAIM_REASON },
      {
        file: 'demotion.json',
        content: TORN,
        command: 'failing hook',
        valid: (v) => typeof (v as { reasons?: { claim?: unknown } }).reasons?.claim === 'object',
      },
      {
        file: 'demotion.json',
        content: '[]',
        command: 'failing hook',
        valid: (v) => typeof (v as { reasons?: { claim?: unknown } }).reasons?.claim === 'object',
      },
      {
        file: 'demotion.json',
        content: '{"reasons": "claim"}',
        command: 'failing hook',
        valid: (v) => typeof (v as { reasons?: { claim?: unknown } }).reasons?.claim === 'object',
      },
      { file: 'demotion.json', content: 'null', command: 'check', valid: () => true },
      { file: 'demotion.json', content: '\u0000\u0000\u0000\u0000', command: 'check', valid: () => true },
      { file: 'event-2@vmx1.json', content: '{"seq": "12', command: 'hook', valid: (v) => (v as { type?: unknown }).type === 'MASTER' },
      { file: 'event-2@vmx1.json', content: '{"seq": 12, "type": "MASTER"}', command: 'hook', valid: (v) => typeof (v as { seq?: unknown }).seq === 'string' },
      { file: 'event-2@vmx1.json', content: '{"seq": "not a number"}', command: 'hook', valid: (v) => /^\d+$/.test(String((v as { seq?: unknown }).seq)) },
      {
        file: 'pending-tasks.json',
        content: '{"entries": [{"address": "51.68.2',
        command: 'hook',
        valid: (v) => Array.isArray((v as { entries?: unknown }).entries),
      },
      { file: 'pending-tasks.json', content: '{"entries": "none"}', command: 'hook', valid: (v) => Array.isArray((v as { entries?: unknown }).entries) },
      {
        file: 'pending-tasks.json',
        content: JSON.stringify({ entries: [{ address: '51.68.252.230', taskId: { id: 1 }, mac: '00:50:56:09:98:fc', op: 'detach', at: 'x' }, 7, null] }),
        command: 'hook',
        valid: (v) => Array.isArray((v as { entries?: unknown }).entries),
      },
      {
        file: 'health.json',
        content: '{"probes": {"vault": {"ok": tr',
        command: 'check',
        valid: (v) => typeof (v as { probes?: unknown }).probes === 'object',
      },
      {
        file: 'health.json',
        content: '{"probes": {"vault": 5, "ovh-api": "x"}}',
        command: 'check',
        valid: (v) => typeof (v as { probes?: unknown }).probes === 'object',
      },
      { file: 'last-check.json', content: '{"at": ', command: 'check', valid: (v) => typeof (v as { healthy?: unknown }).healthy === 'boolean' },
    ];

    for (const { file, content, command, valid, also } of cases) {
      test(`${file} holding ${JSON.stringify(content.slice(0, 30))}: ${command}`, async () => {
        const router = freshRouter(world, command === 'check' ? 'BACKUP' : 'MASTER');
        writeStateFile(router, file, content);
        for (const [name, text] of Object.entries(also ?? {})) writeStateFile(router, name, text);
        let code: number | null;
        let output: string;
        if (command === 'check') {
          const checked = await checkJson(router);
          code = checked.result.code;
          output = checked.context;
          assert.equal(code, 0, output);
        } else {
          if (command === 'failing hook') world.ovh.addFault(DELETE_FAULT);
          try {
            const result = await router.hook('MASTER', { wait: true });
            code = result.code;
            output = result.stdout + result.stderr;
          } finally {
            world.ovh.clearFaults();
          }
          assert.equal(code, command === 'hook' ? 0 : 1, output);
          assert.deepEqual(holdersOf(world), command === 'hook' ? [SEED_MAC_ROUTER_002] : [SEED_MAC_ROUTER_003], output);
          if (command === 'failing hook') assert.equal(router.demotion(), BIT, output);
        }
        noStack(output);
        // Either the command rewrote the file, or it read it and set it aside: never left torn in place.
        const aside = setAside(router, file);
        let now: unknown;
        try {
          now = readStateFile(router, file);
        } catch (error) {
          assert.equal((error as NodeJS.ErrnoException).code, 'ENOENT', `${file} is still unreadable in place`);
          assert.equal(aside.length, 1, `${file} is gone but was not kept aside as evidence`);
          return;
        }
        const before = safeParse(content);
        // JSON of the wrong shape reads as "nothing recorded" and may stay until the next write; a torn file may not.
        if (before === undefined && aside.length === 0) assert.ok(valid(now), `the torn ${file} was neither replaced nor set aside`);
        if (JSON.stringify(now) === JSON.stringify(before)) return;
        assert.ok(valid(now), `${file} now holds ${JSON.stringify(now)}`);
      });
    }
  });
});
