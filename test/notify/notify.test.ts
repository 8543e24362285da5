/**
 * notify.scripts: every executable runs on each event with the event as JSON on
 * stdin and CARP_OVH_* variables, no shell, nothing of carp-ovh's environment; a
 * script that hangs is killed with its process group at notify.timeout and never
 * holds up the claim; a failing script is logged, not fatal.
 */
import assert from 'node:assert/strict';
import { appendFileSync, chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { isAlive } from '../../src/state.ts';
import { seedState } from '../support/ovh-sim/state.ts';
import { SEED_MAC_ROUTER_002, SEED_VIP, holdersOf, startWorld, waitFor, type Router, type World } from '../support/world.ts';

/**
 * Well above what a claim takes on a loaded machine (4 s at load 12), so that a
 * claim waiting for the script would show (the script would be dead, not
 * running, when the claim ends), yet short: the test idles until the kill.
 */
const HANG_TIMEOUT_MS = 10_000;
/** Roomy: the machine running the tests may be loaded many times over. */
const OVH_TUNING = `  timeout: 20s
  poll_interval: 20ms
  deadline: 120s
  max_rpm: 6000
  retries: 2`;

function script(dir: string, name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

interface Received {
  json: Record<string, unknown>;
  env: Record<string, string>;
}

/** What the recording script appended: one JSON line, then its environment, then `--`, per event. */
function received(file: string): Received[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('--\n')
    .filter((block) => block.includes('{'))
    .map((block) => {
      const [json = '', ...envLines] = block.split('\n');
      const env: Record<string, string> = {};
      for (const line of envLines) {
        const eq = line.indexOf('=');
        if (eq > 0) env[line.slice(0, eq)] = line.slice(eq + 1);
      }
      return { json: JSON.parse(json) as Record<string, unknown>, env };
    });
}

describe('notify scripts', () => {
  let world: World;
  const pids: number[] = [];
  before(async () => {
    world = await startWorld({ label: 'notify' });
    world.ovh.setState(seedState());
  });
  after(async () => {
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone already, as it should be
      }
    }
    await world.close();
  });

  function routerWithNotify(name: string, timeout: string): { router: Router; dir: string; record: string } {
    const router = world.router({ name, mac: SEED_MAC_ROUTER_002, ownAddress: '178.32.70.110', state: 'BACKUP', ovhExtra: OVH_TUNING });
    const dir = join(router.dir, 'notify.d');
    mkdirSync(dir);
    const record = join(router.dir, 'received.txt');
    writeFileSync(router.configPath, readFileSync(router.configPath, 'utf8').replace('      timeout: 2s\n', '      timeout: 20s\n'));
    appendFileSync(router.configPath, `notify:\n  scripts: ${dir}\n  timeout: ${timeout}\n`);
    return { router, dir, record };
  }

  test('a hanging script does not delay the claim, and is killed with its process group at notify.timeout', async (t) => {
    const { router, dir } = routerWithNotify('router-hang', `${HANG_TIMEOUT_MS / 1000}s`);
    const pidFile = join(router.dir, 'hang.pids');
    script(dir, 'hang', `sleep 1000 &\necho "$$ $!" > ${pidFile}\nwait`);
    router.setState('MASTER');
    const claim = await router.hook('MASTER', { wait: true });
    assert.equal(claim.code, 0, claim.stderr);
    assert.deepEqual(holdersOf(world), [SEED_MAC_ROUTER_002]);
    // The loose bound: far below the script's timeout, which a claim waiting for it would take at least.
    assert.ok(claim.durationMs < HANG_TIMEOUT_MS, `the claim took ${Math.round(claim.durationMs)} ms, not held up by the hanging script`);
    t.diagnostic(`hook --wait with a hanging notify script: ${Math.round(claim.durationMs)} ms (notify.timeout ${HANG_TIMEOUT_MS} ms)`);
    await waitFor(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim().split(' ').length === 2, 30_000, 'the hanging script to start');
    const [shell, sleeper] = readFileSync(pidFile, 'utf8').trim().split(' ').map(Number) as [number, number];
    pids.push(shell, sleeper);
    assert.ok(isAlive(shell) || isAlive(sleeper), 'the script was still running when the claim had ended');
    await waitFor(() => !isAlive(shell) && !isAlive(sleeper), HANG_TIMEOUT_MS + 30_000, 'the script and its child to be killed');
    await waitFor(() => router.logLines().some((l) => String(l.msg).includes('killed with its process group')), 10_000, 'the kill to be logged');
    const line = router.logLines().find((l) => String(l.msg).includes('killed with its process group'));
    assert.match(String(line?.msg), /notify script .*hang failed for claim-(started|succeeded)/);
  });

  test('every event reaches every script as JSON on stdin and CARP_OVH_* variables; a failing script is logged, not fatal', async () => {
    world.ovh.setState(seedState());
    const { router, dir, record } = routerWithNotify('router-events', '10s');
    // One write per event: two events' scripts may run at the same time.
    script(dir, 'record', `block=$(cat; echo; env; echo --)\nprintf '%s\\n' "$block" >> ${record}`);
    script(dir, 'broken', 'echo "mail: cannot reach the relay" >&2\nexit 3');
    // A name a shell would act on: run as a file, it is only a name.
    script(dir, 'x;touch pwned', 'exit 0');
    const env = { VAULT_TOKEN: 'hvs.should-never-reach-a-script', CARP_OVH_SECRET_TEST: 'nope' };

    router.setState('MASTER');
    const claim = await router.cli(['hook', '2@vmx1', 'MASTER', '--wait'], { env });
    assert.equal(claim.code, 0, claim.stderr);
    await waitFor(() => received(record).some((r) => r.json.event === 'claim-succeeded'), 30_000, 'claim-succeeded');
    const events = received(record);
    const started = events.find((r) => r.json.event === 'claim-started');
    const succeeded = events.find((r) => r.json.event === 'claim-succeeded');
    assert.ok(started !== undefined && succeeded !== undefined, JSON.stringify(events.map((e) => e.json.event)));
    assert.deepEqual(started.json.keys, ['2@vmx1']);
    assert.deepEqual(started.json.addresses, [SEED_VIP]);
    assert.equal(started.json.trigger, 'hook 2@vmx1 MASTER');
    assert.equal(typeof succeeded.json.durationMs, 'number');
    assert.equal(succeeded.env.CARP_OVH_EVENT, 'claim-succeeded');
    assert.equal(succeeded.env.CARP_OVH_ADDRESSES, SEED_VIP);
    assert.equal(succeeded.env.CARP_OVH_KEYS, '2@vmx1');
    for (const r of events) {
      assert.equal(r.env.VAULT_TOKEN, undefined, 'nothing of carp-ovh’s environment');
      assert.equal(r.env.CARP_OVH_SECRET_TEST, undefined);
      assert.deepEqual(
        Object.keys(r.env).sort(),
        ['CARP_OVH_ADDRESSES', 'CARP_OVH_AT', 'CARP_OVH_EVENT', 'CARP_OVH_HOST', 'CARP_OVH_KEYS', 'CARP_OVH_REASONS', 'PATH', 'PWD'].filter(
          (k) => k !== 'PWD' || r.env.PWD !== undefined,
        ),
      );
    }
    assert.equal(existsSync(join('/', 'pwned')) || existsSync(join(router.dir, 'pwned')), false, 'no shell ran the name');
    await waitFor(
      () => router.logLines().some((l) => /notify script .*broken failed for claim-succeeded: exit 3: mail: cannot reach the relay/.test(String(l.msg))),
      30_000,
      'the failure logged',
    );

    // Maintenance: entered (with the demotion it causes), then left (with the promotion).
    const enter = await router.cli(['maintenance', 'enter', '--timeout', '200ms']);
    assert.equal(enter.code, 1, 'the peer never takes over in this world: enter times out, the events are sent all the same');
    await waitFor(() => received(record).some((r) => r.json.event === 'demoted'), 30_000, 'demoted');
    const leave = await router.cli(['maintenance', 'leave']);
    assert.equal(leave.code, 0, leave.stderr);
    // Each event has its own notify-run: they may arrive in any order.
    await waitFor(
      () => ['promoted', 'maintenance-left', 'maintenance-entered'].every((e) => received(record).some((r) => r.json.event === e)),
      30_000,
      'promoted, maintenance-entered and -left',
    );
    const all = received(record);
    const demoted = all.find((r) => r.json.event === 'demoted');
    const promoted = all.find((r) => r.json.event === 'promoted');
    assert.ok(all.some((r) => r.json.event === 'maintenance-entered'));
    assert.ok(all.some((r) => r.json.event === 'maintenance-left'));
    assert.deepEqual(demoted?.json.reasons, ['maintenance']);
    assert.equal(demoted?.env.CARP_OVH_REASONS, 'maintenance');
    assert.equal(demoted?.json.demotion, 1_048_576);
    assert.deepEqual(promoted?.json.reasons, ['maintenance']);
    assert.equal(promoted?.json.demotion, 0);

    // A claim that fails: claim-failed, and the demotion for the `claim` reason.
    world.ovh.setState(seedState());
    world.ovh.addFault({
      method: 'DELETE',
      path: '/dedicated/server/*/virtualMac/*/virtualAddress/*',
      action: { type: 'status', status: 403, errorCode: 'NOT_GRANTED_CALL', message: 'This call has not been granted' },
    });
    const failing = await router.hook('MASTER', { wait: true });
    assert.equal(failing.code, 1, failing.stdout);
    await waitFor(
      () => received(record).some((r) => r.json.event === 'claim-failed') && received(record).filter((r) => r.json.event === 'demoted').length === 2,
      30_000,
      'claim-failed and its demotion',
    );
    const failed = received(record).find((r) => r.json.event === 'claim-failed');
    assert.match(String(failed?.json.detail), /403|not been granted/);
    assert.deepEqual(received(record).filter((r) => r.json.event === 'demoted')[1]?.json.reasons, ['claim']);
  });

  test('docs/examples/notify-webhook.sh posts the event as carp-ovh sent it (curl needed)', async (t) => {
    const curl = ['/usr/bin/curl', '/usr/local/bin/curl', '/bin/curl'].find((path) => existsSync(path));
    if (curl === undefined) {
      t.skip('curl is not installed');
      return;
    }
    const bodies: string[] = [];
    const server = createServer((request, response) => {
      let body = '';
      request.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      request.on('end', () => {
        bodies.push(`${request.method} ${request.url} ${request.headers['content-type']}\n${body}`);
        response.end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      const { router, dir } = routerWithNotify('router-webhook', '20s');
      const example = readFileSync(new URL('../../docs/examples/notify-webhook.sh', import.meta.url), 'utf8');
      const installed = example.replace('https://hooks.example.net/carp-ovh', `http://127.0.0.1:${port}/carp-ovh`);
      assert.notEqual(installed, example, 'the example has the URL line the docs tell to edit');
      script(dir, 'webhook', installed.replace(/^#!\/bin\/sh\n/, ''));
      // Done at once or timed out, depending on where the VIP is: the events are sent either way.
      const enter = await router.cli(['maintenance', 'enter', '--timeout', '100ms']);
      assert.ok(enter.code === 0 || enter.code === 1, enter.stderr);
      await waitFor(() => bodies.length >= 2, 30_000, 'two posts (maintenance-entered, demoted)');
      const entered = bodies.find((b) => b.includes('"maintenance-entered"')) ?? '';
      assert.match(entered, /^POST \/carp-ovh application\/json\n/);
      const event = JSON.parse(entered.slice(entered.indexOf('\n') + 1)) as Record<string, unknown>;
      assert.equal(event.event, 'maintenance-entered');
      assert.deepEqual(event.addresses, [SEED_VIP]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
