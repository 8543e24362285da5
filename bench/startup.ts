/**
 * Cold start: how long devd waits for `hook` (it returns once the detached worker
 * is started) against a bare `node -e 0`, interleaved run by run so that machine
 * noise hits both alike; and the same with node's compile cache.
 */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_PATH } from '../test/support/cli.ts';
import { median, runNode } from './measure.ts';

export interface StartupResult {
  runs: number;
  nodeMs: number;
  hookMs: number;
  hookCachedMs: number;
  hookRssKb: number;
}

export async function hookStartup(runs = 21): Promise<StartupResult> {
  const dir = mkdtempSync(join(tmpdir(), 'carp-ovh-bench-startup-'));
  const stateDir = join(dir, 'state');
  mkdirSync(stateDir);
  const config = join(dir, 'carp-ovh.yaml');
  // The hook does not read the config on its fast path; the detached worker does, and finds vhid 2 BACKUP-only work.
  writeFileSync(
    config,
    `ovh:\n  credentials: { file: ${join(dir, 'none.yaml')} }\n` +
      'failover:\n  - { vhid: 2, interface: vmx1, addresses: [192.0.2.10], server: ns1.example }\n' +
      `state_dir: ${stateDir}\nlog: { syslog: false, file: ${join(dir, 'log')} }\n`,
  );
  const cache = join(dir, 'compile-cache');
  const hookArgs = [CLI_PATH, '--config', config, 'hook', '2@vmx1', 'BACKUP'];
  const node: number[] = [];
  const hook: number[] = [];
  const cached: number[] = [];
  const rss: number[] = [];
  // One warm-up each: the first run pays for the page cache, not for carp-ovh.
  await runNode(['-e', '0']);
  await runNode(hookArgs, { env: { NODE_COMPILE_CACHE: cache } });
  for (let i = 0; i < runs; i++) {
    node.push((await runNode(['-e', '0'])).wallMs);
    hook.push((await runNode(hookArgs)).wallMs);
    cached.push((await runNode(hookArgs, { env: { NODE_COMPILE_CACHE: cache } })).wallMs);
  }
  // Peak RSS in a run of its own: the reporter it preloads would skew the timings.
  const measured = await runNode(hookArgs, { instrument: true });
  if (measured.maxRssKb !== null) rss.push(measured.maxRssKb);
  return { runs, nodeMs: median(node), hookMs: median(hook), hookCachedMs: median(cached), hookRssKb: rss[0] ?? 0 };
}
