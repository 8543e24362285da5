/**
 * What `check --every` costs: OVH read at its own cadence (and at every run while it
 * fails), one Vault request a run on a token kept in memory, no OVH read while a
 * claim runs, the token revoked at SIGTERM, and the platform (ifconfig, sysctl)
 * read when a CARP event or a reason change says so, or once per platform_interval.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CLI_PATH } from '../support/cli.ts';
import { BIT, healthRouter } from '../support/health.ts';
import { SEED_VIP } from '../support/ovh-sim/state.ts';
import { startWorld, waitFor, type Router, type World } from '../support/world.ts';

interface Run {
  at: string;
  healthy: boolean;
  probes: Array<{ name: string; ok: boolean; skipped?: boolean; detail: string }>;
  demotion: { total: number; readAt: string } | null;
}

/** A `check --json --every` process; `runs` grows by one parsed report per finished run. */
class Loop {
  readonly runs: Run[] = [];
  stderr = '';
  exitCode: number | null | undefined = undefined;
  private readonly closed: Promise<number | null>;
  private readonly child;

  constructor(router: Router, everyMs: number) {
    this.child = spawn(process.execPath, [CLI_PATH, '--config', router.configPath, 'check', '--json', '--every', `${everyMs}ms`], {
      env: { PATH: '/usr/bin:/bin' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let buffer = '';
    this.child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      buffer += chunk;
      for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
        this.runs.push(JSON.parse(buffer.slice(0, nl)) as Run);
        buffer = buffer.slice(nl + 1);
      }
    });
    this.child.stderr.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    this.closed = new Promise((resolve) =>
      this.child.on('close', (code) => {
        this.exitCode = code;
        resolve(code);
      }),
    );
  }

  /** Waits until `count` runs have finished (a generous bound: the machine may be loaded). */
  async until(count: number): Promise<void> {
    await waitFor(() => this.runs.length >= count || this.exitCode !== undefined, 60_000, `${count} runs of check --every`);
    assert.ok(this.runs.length >= count, `check --every ended (exit ${this.exitCode}) after ${this.runs.length} runs: ${this.stderr.slice(-800)}`);
  }

  async stop(): Promise<number | null> {
    this.child.kill('SIGTERM');
    return this.closed;
  }
}

const probeOf = (run: Run | undefined, name: string) => run?.probes.find((p) => p.name === name);

/** How many times the loop ran each of the fake kernel's tools since `from` calls. */
function toolCalls(router: Router, from = 0): { ifconfig: number; sysctl: number } {
  const calls = router.kernel.calls().slice(from);
  return { ifconfig: calls.filter((c) => c.tool === 'ifconfig').length, sysctl: calls.filter((c) => c.tool === 'sysctl').length };
}

describe('check --every: what the loop costs', () => {
  let world: World;
  const loops = new Set<Loop>();
  const loop = (router: Router, everyMs = 100): Loop => {
    const started = new Loop(router, everyMs);
    loops.add(started);
    return started;
  };
  before(async () => {
    world = await startWorld({ label: 'health-loop-cost' });
  });
  after(async () => {
    await Promise.all([...loops].map((l) => l.stop()));
    await world.close();
  });

  test('OVH once per ovh_interval, Vault one lookup a run on one token, revoked at SIGTERM', async () => {
    const router = healthRouter(world, { state: 'MASTER', tuning: { ovh_interval: '1h', claim_interval: '1h' } });
    const claimed = await router.hook('MASTER', { wait: true });
    assert.equal(claimed.code, 0, claimed.stderr);
    const ovhBefore = world.ovh.requests().length;
    const vaultBefore = world.vault.requests.length;
    const l = loop(router);
    await l.until(1);
    const ovhAfterFirst = world.ovh.requests().length;
    const vaultAfterFirst = world.vault.requests.length;
    assert.ok(ovhAfterFirst > ovhBefore, 'the first run reads OVH');
    // The VIP is on our vMAC: its address list alone shows it (besides the clock, asked once per loop).
    const firstRun = world.ovh
      .requests()
      .slice(ovhBefore, ovhAfterFirst)
      .map((r) => `${r.method} ${r.path}`);
    assert.deepEqual(
      firstRun.filter((r) => !r.endsWith('/auth/time')).map((r) => r.replace(/virtualMac\/[0-9a-f:]+\//, 'virtualMac/MAC/')),
      ['GET /1.0/dedicated/server/ns3000000.ip-1-2-3.eu/virtualMac/MAC/virtualAddress'],
      firstRun.join('\n'),
    );
    await l.until(6);
    const ovhAfterSix = world.ovh.requests().length;
    assert.equal(await l.stop(), 0);
    const vaultRuns = world.vault.requests.slice(vaultAfterFirst);

    assert.equal(ovhAfterSix, ovhAfterFirst, 'runs 2..6 make no OVH request');
    for (const run of l.runs.slice(1, 6)) {
      assert.equal(run.healthy, true, JSON.stringify(run));
      assert.match(probeOf(run, 'ovh-api')?.detail ?? '', /\(as read \S+ ago\)$/);
    }
    // Runs 2..6: one lookup-self each, no login and no read; then the revocation at SIGTERM.
    const paths = vaultRuns.map((r) => r.path);
    const lookups = paths.filter((p) => p === '/v1/auth/token/lookup-self').length;
    assert.ok(lookups >= 5, `at least one lookup per later run: ${paths.join(' ')}`);
    assert.deepEqual(
      paths.filter((p) => p !== '/v1/auth/token/lookup-self'),
      ['/v1/auth/token/revoke-self'],
      'no login and no secret read after the first run; one revocation at the end',
    );
    assert.equal(world.vault.requests.slice(vaultBefore, vaultAfterFirst).filter((r) => r.path.includes('/login')).length, 1, 'the first run logs in once');
  });

  test('a token Vault revoked early is replaced by a new login on the next run, and the probe stays healthy', async () => {
    const router = healthRouter(world, { state: 'BACKUP', tuning: { ovh_interval: '1h', claim_interval: '1h' } });
    const l = loop(router);
    await l.until(2);
    const logins = (): number => world.vault.requests.filter((r) => r.path.includes('/login')).length;
    const before = logins();
    world.vault.expireToken();
    const seen = l.runs.length;
    await l.until(seen + 2);
    assert.equal(await l.stop(), 0);
    assert.equal(logins(), before + 1, 'exactly one new login');
    for (const run of l.runs.slice(seen)) assert.equal(probeOf(run, 'vault')?.ok, true, JSON.stringify(run));
  });

  test('while OVH fails the probe reads at every run and demotes; once it passes it goes back to its interval', async () => {
    const router = healthRouter(world, { state: 'BACKUP', tuning: { ovh_interval: '1h', claim_interval: '1h' } });
    world.ovh.addFault({ path: '/auth/time', action: { type: 'status', status: 503, message: 'Service Unavailable' } });
    const l = loop(router);
    try {
      await l.until(3);
      for (const run of l.runs.slice(0, 3)) assert.equal(probeOf(run, 'ovh-api')?.ok, false, JSON.stringify(run));
      assert.ok(
        l.runs.slice(0, 3).every((run) => !/as read/.test(probeOf(run, 'ovh-api')?.detail ?? '')),
        'a failing probe never repeats an old answer',
      );
      await waitFor(() => router.demotion() !== 0, 30_000, 'the demotion');
    } finally {
      world.ovh.clearFaults();
    }
    const seen = l.runs.length;
    await waitFor(() => l.runs.slice(seen).some((run) => probeOf(run, 'ovh-api')?.ok === true), 60_000, 'ovh-api passing again');
    const passedAt = l.runs.length;
    const ovhAtPass = world.ovh.requests().length;
    await l.until(passedAt + 3);
    assert.equal(world.ovh.requests().length, ovhAtPass, 'back on its interval: no OVH request');
    await waitFor(() => router.demotion() === 0, 30_000, 'the promotion');
    assert.equal(await l.stop(), 0);
  });

  test('while a claim runs the loop makes no OVH request: the claim has the budget', async () => {
    const router = healthRouter(world, { state: 'MASTER', tuning: { ovh_interval: '1h', claim_interval: '1h' } });
    mkdirSync(router.stateDir, { recursive: true, mode: 0o700 });
    // A live holder (this test process) that is not the loop: a claim worker mid-claim.
    writeFileSync(join(router.stateDir, 'claim.lock'), JSON.stringify({ pid: process.pid, since: new Date().toISOString(), purpose: 'hook 2@vmx1 MASTER' }));
    const ovhBefore = world.ovh.requests().length;
    const l = loop(router);
    await l.until(3);
    assert.equal(world.ovh.requests().length, ovhBefore, 'no OVH request while the claim lock is held');
    const first = probeOf(l.runs[0], 'ovh-api');
    assert.equal(first?.skipped, true);
    assert.match(first?.detail ?? '', /^not run: a claim is running \(pid \d+\)$/);
    assert.equal(router.demotion(), 0, 'a probe that did not run demotes nothing');
    assert.equal(await l.stop(), 0);
    assert.ok(world.ovh.locate(SEED_VIP).length > 0);
  });

  test('steady state reads the platform once: later runs reuse it and say so, until a CARP event', async () => {
    const router = healthRouter(world, { state: 'MASTER', tuning: { ovh_interval: '1h', claim_interval: '1h', platform_interval: '1h' } });
    const claimed = await router.hook('MASTER', { wait: true });
    assert.equal(claimed.code, 0, claimed.stderr);
    const before = router.kernel.calls().length;
    const l = loop(router);
    await l.until(1);
    const first = toolCalls(router, before);
    assert.ok(first.ifconfig >= 1 && first.sysctl >= 1, `the first run reads the platform: ${JSON.stringify(first)}`);
    const afterFirst = router.kernel.calls().length;
    await l.until(6);
    assert.deepEqual(toolCalls(router, afterFirst), { ifconfig: 0, sysctl: 0 }, 'runs 2..6 spawn no ifconfig and no sysctl');
    const firstRun = l.runs[0] as Run;
    for (const run of l.runs.slice(1, 6)) {
      assert.equal(run.healthy, true, JSON.stringify(run));
      assert.match(probeOf(run, 'claim')?.detail ?? '', /^2@vmx1 MASTER, \S+ on our MAC; CARP as read \S+ ago$/);
      assert.equal(run.demotion?.readAt, firstRun.demotion?.readAt, 'the demotion as the first run read it');
      assert.ok(Date.parse(run.demotion?.readAt ?? '') < Date.parse(run.at), 'read before this run started');
    }
    assert.ok(Date.parse(firstRun.demotion?.readAt ?? '') >= Date.parse(firstRun.at), 'the first run read it itself');

    // CARP says vhid 2 is BACKUP now, and devd runs the hook: the next run reads again.
    // (A run may see the recorded event before the hook has even returned.)
    const atEvent = router.kernel.calls().length;
    const seen = l.runs.length;
    router.setState('BACKUP');
    const backup = await router.hook('BACKUP', { wait: true });
    assert.equal(backup.code, 0, backup.stderr);
    // No "CARP as read …": the run read the platform itself.
    await waitFor(() => l.runs.slice(seen).some((run) => /^2@vmx1 BACKUP$/.test(probeOf(run, 'claim')?.detail ?? '')), 30_000, 'a run that read BACKUP');
    assert.equal(await l.stop(), 0);
    assert.ok(toolCalls(router, atEvent).ifconfig >= 1, 'the event made the loop run ifconfig');
  });

  /** A BACKUP router's loop over four runs: its runs 2..4, and the platform tools they ran. */
  const laterRunsOfBackup = async (platformInterval: string): Promise<{ runs: Run[]; tools: { ifconfig: number; sysctl: number } }> => {
    const router = healthRouter(world, { state: 'BACKUP', tuning: { ovh_interval: '1h', claim_interval: '1h', platform_interval: platformInterval } });
    const l = loop(router);
    await l.until(1);
    const afterFirst = router.kernel.calls().length;
    await l.until(4);
    assert.equal(await l.stop(), 0);
    return { runs: l.runs.slice(1, 4), tools: toolCalls(router, afterFirst) };
  };

  test('a BACKUP router reuses its read as well: the claim probe has nothing to compare with OVH', async () => {
    const { runs, tools } = await laterRunsOfBackup('1h');
    assert.deepEqual(tools, { ifconfig: 0, sysctl: 0 }, 'runs 2..4 spawn no ifconfig and no sysctl');
    for (const run of runs) assert.match(probeOf(run, 'claim')?.detail ?? '', /^2@vmx1 BACKUP; CARP as read \S+ ago$/);
  });

  test('a CARP change no hook reported, or a demotion share someone else removed, is seen within platform_interval', async () => {
    const router = healthRouter(world, { state: 'BACKUP', tuning: { ovh_interval: '1h', claim_interval: '1h', platform_interval: '300ms' } });
    const l = loop(router);
    await l.until(1);
    assert.match(probeOf(l.runs[0], 'claim')?.detail ?? '', /^2@vmx1 BACKUP$/);
    // The fake kernel changes state without devd: only the interval brings the news.
    router.setState('INIT');
    await waitFor(() => l.runs.some((run) => /^2@vmx1 INIT/.test(probeOf(run, 'claim')?.detail ?? '')), 30_000, 'a run that read INIT');

    // Vault sealed: the loop demotes at once (the reasons changed), whatever the interval.
    world.vault.seal();
    try {
      await waitFor(() => router.demotion() === BIT, 30_000, 'the demotion');
      // Someone else takes our share away; the loop's next read puts it back, and writes nothing else.
      const writes = router.kernel.demotionWrites().length;
      router.kernel.setSysctl('net.inet.carp.demotion', 0);
      await waitFor(() => router.demotion() === BIT, 30_000, 'the share put back');
      assert.deepEqual(router.kernel.demotionWrites().slice(writes), [BIT], 'one write: our share');
    } finally {
      world.vault.unseal();
    }
    await waitFor(() => router.demotion() === 0, 30_000, 'the promotion');
    assert.equal(await l.stop(), 0);
  });

  test('platform_interval 0s reads the platform at every run, as before the loop kept it', async () => {
    const { runs, tools } = await laterRunsOfBackup('0s');
    assert.ok(tools.ifconfig >= 3 && tools.sysctl >= 3, `runs 2..4 read ifconfig and sysctl each: ${JSON.stringify(tools)}`);
    for (const run of runs) assert.doesNotMatch(probeOf(run, 'claim')?.detail ?? '', /as read/);
  });
});
