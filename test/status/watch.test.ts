/** `status --watch`: a report every second (placement, CARP state, demotion, last claim) until SIGINT, then exit 0. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { CLI_PATH } from '../support/cli.ts';
import { seedState } from '../support/ovh-sim/state.ts';
import { SEED_MAC_ROUTER_003, SEED_VIP, startWorld, waitFor, type World } from '../support/world.ts';

describe('status --watch', () => {
  let world: World;
  const children = new Set<ReturnType<typeof spawn>>();
  before(async () => {
    world = await startWorld({ label: 'status-watch' });
    world.ovh.setState(seedState());
  });
  after(async () => {
    for (const child of children) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await new Promise((resolve) => child.once('close', resolve));
      }
    }
    await world.close();
  });

  test('redraws with what changed, and SIGINT ends it with exit 0', async () => {
    const router = world.router({ name: 'router-003', mac: SEED_MAC_ROUTER_003, ownAddress: '178.32.70.111', state: 'MASTER' });
    // The fake ifconfig is a node program: give it time on a loaded machine.
    writeFileSync(router.configPath, readFileSync(router.configPath, 'utf8').replace('platform:\n', 'platform:\n  timeout: 30s\n'));
    const child = spawn(process.execPath, [CLI_PATH, '--config', router.configPath, 'status', '--watch', '--timeout', '20s'], {
      env: { PATH: '/usr/bin:/bin' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const closed = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('close', (code, signal) => resolve([code, signal])));
    const frames = (): string[] => stdout.split(/(?=carp-ovh status: )/).filter((f) => f.includes('Ctrl-C to stop'));

    await waitFor(() => frames().some((f) => /2@vmx1: MASTER/.test(f)), 90_000, `a report of the MASTER (stderr: ${stderr})`);
    const first = frames().find((f) => /2@vmx1: MASTER/.test(f)) ?? '';
    assert.match(first, /2@vmx1: MASTER, MAC 00:50:56:09:98:fc/);
    assert.match(first, new RegExp(`${SEED_VIP.replace(/\./g, '\\.')}\\s+on this router`));
    assert.match(first, /demotion: +0 total, our bit \(1048576\) clear/);
    assert.match(first, /last claim: none recorded/);

    // The kernel changes under it: the next redraw shows it, without anyone asking.
    router.setState('BACKUP');
    await waitFor(() => frames().some((f) => /2@vmx1: BACKUP/.test(f)), 30_000, 'a redraw showing BACKUP');
    assert.ok(frames().length >= 2, 'at least two redraws');
    const masterAt = frames().findIndex((f) => /2@vmx1: MASTER/.test(f));
    const backupAt = frames().findIndex((f) => /2@vmx1: BACKUP/.test(f));
    assert.ok(backupAt > masterAt, 'BACKUP was drawn after MASTER');
    assert.match(frames().at(-1) ?? '', /placement at OVH as of .* ago/);

    child.kill('SIGINT');
    const [code, signal] = await closed;
    children.delete(child);
    assert.equal(signal, null, stderr);
    assert.equal(code, 0, stderr);
    assert.doesNotMatch(stdout, /\u001b\[/, 'no terminal codes when stdout is not a terminal');
  });
});
