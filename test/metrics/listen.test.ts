/** metrics.listen: `check --every` serves /metrics; each scrape shows the state dir as it is then (claims by workers included). */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { CLI_PATH } from '../support/cli.ts';
import { enableMetrics } from '../support/metrics.ts';
import { seedState } from '../support/ovh-sim/state.ts';
import { parseExposition, metricValue } from '../support/prom-parse.ts';
import { SEED_MAC_ROUTER_002, startWorld, waitFor, type World } from '../support/world.ts';

const OVH_TUNING = `  timeout: 20s
  poll_interval: 20ms
  deadline: 120s
  max_rpm: 6000
  retries: 2`;

describe('metrics.listen', () => {
  let world: World;
  const children = new Set<ReturnType<typeof spawn>>();
  before(async () => {
    world = await startWorld({ label: 'metrics-listen' });
    world.ovh.setState(seedState());
  });
  after(async () => {
    await Promise.all(
      [...children].map(async (child) => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGKILL');
          await new Promise((resolve) => child.once('close', resolve));
        }
      }),
    );
    await world.close();
  });

  test('check --every serves the text format on /metrics (GET and HEAD only), a claim in another process shows at the next scrape, SIGTERM closes it', async () => {
    const router = world.router({ name: 'router-002', mac: SEED_MAC_ROUTER_002, ownAddress: '178.32.70.110', state: 'BACKUP', ovhExtra: OVH_TUNING });
    // Roomy for a loaded machine: Vault and the fake ifconfig may be slow to answer.
    writeFileSync(
      router.configPath,
      readFileSync(router.configPath, 'utf8').replace('      timeout: 2s\n', '      timeout: 15s\n').replace('platform:\n', 'platform:\n  timeout: 30s\n'),
    );
    enableMetrics(router, { listen: '127.0.0.1:0' });
    const child = spawn(process.execPath, [CLI_PATH, '--config', router.configPath, 'check', '--every', '1s'], {
      env: { PATH: '/usr/bin:/bin' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));

    await waitFor(() => /metrics on http:\/\/127\.0\.0\.1:\d+\/metrics/.test(stdout), 30_000, `the listen line (stderr: ${stderr})`);
    const url = /(http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(stdout)?.[1] ?? '';
    // The first check's record lands in the state dir; until then the families are there, empty.
    await waitFor(() => router.lastCheck() !== null, 30_000, 'the first check');
    let text = '';
    for (const until = Date.now() + 30_000; Date.now() < until; ) {
      const answer = await fetch(url);
      assert.equal(answer.status, 200);
      assert.equal(answer.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
      text = await answer.text();
      if (metricValue(parseExposition(text), 'carp_ovh_up') === 1) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    let m = parseExposition(text);
    assert.equal(metricValue(m, 'carp_ovh_up'), 1, text);
    assert.equal(metricValue(m, 'carp_ovh_master', { key: '2@vmx1' }), 0);

    assert.equal((await fetch(url.replace('/metrics', '/'))).status, 404);
    assert.equal((await fetch(url, { method: 'POST' })).status, 405);
    const head = await fetch(url, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(await head.text(), '');

    // A claim in its own process: the next scrape counts it, without waiting for a check.
    router.setState('MASTER');
    const claim = await router.hook('MASTER', { wait: true });
    assert.equal(claim.code, 0, claim.stderr);
    m = parseExposition(await (await fetch(url)).text());
    // The loop's claim probe may repair it too (it sees a MASTER without its VIP): one claim at least.
    assert.ok((metricValue(m, 'carp_ovh_claims_total', { result: 'ok' }) ?? 0) >= 1, 'the claim is counted');
    assert.equal(metricValue(m, 'carp_ovh_vip_here', { key: '2@vmx1', address: '51.68.252.230' }), 1);

    child.kill('SIGTERM');
    assert.equal(await closed, 0, stderr);
    children.delete(child);
    await assert.rejects(fetch(url), 'the listener is closed with the loop');
  });
});
