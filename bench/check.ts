/** `carp-ovh check` timings: wall and CPU with 0 and 5 service scripts, and Vault sealed → demotion under `check --every`. */
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI_PATH } from '../test/support/cli.ts';
import { seedState } from '../test/support/ovh-sim/state.ts';
import { SEED_MAC_ROUTER_002, startWorld, waitFor } from '../test/support/world.ts';
import { runNode } from './measure.ts';

export interface CheckTimings {
  noScripts: { wallMs: number; cpuMs: number };
  fiveScripts: { wallMs: number; cpuMs: number };
  sealToDemotionMs: number;
  maxRssKb: number | null;
}

export async function checkTimings(): Promise<CheckTimings> {
  const world = await startWorld({ label: 'bench-check' });
  try {
    world.ovh.setState(seedState());
    const router = world.router({ name: 'router-002', mac: SEED_MAC_ROUTER_002, ownAddress: '178.32.70.110', state: 'MASTER', ovhExtra: '  timeout: 10s' });
    // Put the VIP here so the claim probe passes.
    const claimed = await router.hook('MASTER', { wait: true });
    if (claimed.code !== 0) throw new Error(`bench setup: claim failed: ${claimed.stderr}`);
    const scripts = join(router.dir, 'service-status.d');
    mkdirSync(scripts, { recursive: true });

    const once = async (): Promise<{ wallMs: number; cpuMs: number; maxRssKb: number | null }> => {
      const runs = [];
      for (let i = 0; i < 3; i++) runs.push(await runNode([CLI_PATH, '--config', router.configPath, 'check'], { instrument: true }));
      const failed = runs.find((r) => r.code !== 0);
      if (failed !== undefined) throw new Error(`bench: check failed: ${failed.stdout}${failed.stderr}`);
      const sorted = [...runs].sort((a, b) => a.wallMs - b.wallMs);
      const mid = sorted[1] ?? sorted[0];
      return { wallMs: mid?.wallMs ?? 0, cpuMs: mid?.cpuMs ?? 0, maxRssKb: mid?.maxRssKb ?? null };
    };
    const noScripts = await once();
    for (let i = 1; i <= 5; i++) {
      const script = join(scripts, `sleep-${i}`);
      writeFileSync(script, '#!/bin/sh\nsleep 1\nexit 0\n');
      chmodSync(script, 0o755);
    }
    const fiveScripts = await once();

    // Seal Vault while `check --every 10s` runs, and time the demotion write.
    const before = router.lastCheck()?.at;
    const loop = spawn(process.execPath, [CLI_PATH, '--config', router.configPath, 'check', '--every', '10s'], { stdio: 'ignore' });
    try {
      // Seal just after the loop's first check has finished: the worst case, a whole interval to wait.
      await waitFor(
        () => {
          const last = router.lastCheck();
          return last !== null && last.at !== before;
        },
        30_000,
        'the first check of the loop',
      );
      const sealedAt = Date.now();
      world.vault.seal();
      await waitFor(() => router.demotion() !== 0, 60_000, 'the demotion');
      return { noScripts, fiveScripts, sealToDemotionMs: Date.now() - sealedAt, maxRssKb: noScripts.maxRssKb };
    } finally {
      loop.kill('SIGTERM');
    }
  } finally {
    await world.close();
  }
}
