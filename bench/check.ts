/**
 * `carp-ovh check` timings: wall and CPU with 0 and 5 service scripts, and Vault
 * sealed → demotion and OVH down → demotion under `check --every 10s`.
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI_PATH } from '../test/support/cli.ts';
import { tune } from '../test/support/health.ts';
import { seedState } from '../test/support/ovh-sim/state.ts';
import { awaitDetachedWorkers, waitUntil } from '../test/support/wait.ts';
import { SEED_MAC_ROUTER_002, startWorld } from '../test/support/world.ts';
import { formatDuration as ms } from '../src/duration.ts';
import { routerEnv, runNode } from './measure.ts';
import { type BenchContext, type BenchSection, mib, ratio, type SectionReport } from './section.ts';

export interface CheckTimings {
  noScripts: { wallMs: number; cpuMs: number };
  fiveScripts: { wallMs: number; cpuMs: number };
  sealToDemotionMs: number;
  /** Start to start of two runs of `check --every 10s`, as the loop ran them. */
  loopPeriodMs: number;
  /** A lone `check` while Vault is sealed: what the loop's next run has to do. */
  sealedCheckMs: number;
  /** OVH answering 503 to everything, from just after the loop's OVH read to the demotion write, default intervals. */
  ovhDownToDemotionMs: number;
  maxRssKb: number | null;
}

/** Starts `check --every 10s` and returns a stop function that waits for its exit. */
function startLoop(configPath: string): () => Promise<void> {
  const loop = spawn(process.execPath, [CLI_PATH, '--config', configPath, 'check', '--every', '10s'], { stdio: 'ignore', env: routerEnv() });
  const exited = new Promise((resolve) => (loop.exitCode !== null || loop.signalCode !== null ? resolve(null) : loop.once('close', resolve)));
  return async () => {
    if (loop.exitCode === null && loop.signalCode === null) loop.kill('SIGTERM');
    await exited;
  };
}

export async function checkTimings(): Promise<CheckTimings> {
  const world = await startWorld({ label: 'bench-check' });
  try {
    world.ovh.setState(seedState());
    const router = world.router({ name: 'router-002', mac: SEED_MAC_ROUTER_002, ownAddress: '178.32.70.110', state: 'MASTER', ovhExtra: '  timeout: 10s' });
    // Bounds only: on a busy machine a probe may need more than the 10 s default, and a
    // probe that times out measures the bound, not the check.
    tune(router, { probe_timeout: '60s', script_timeout: '60s' });
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
    const runAt = (): string | undefined => router.lastCheck()?.at as string | undefined;
    const nextRun = async (what: string): Promise<string | undefined> => {
      const previous = runAt();
      await waitUntil(what, () => runAt() !== undefined && runAt() !== previous, { timeoutMs: 90_000 });
      return runAt();
    };
    let stopLoop = startLoop(router.configPath);
    try {
      // Seal just after the loop's first check has finished: the worst case, a whole interval to wait.
      const first = await nextRun('the first check of the loop');
      // And its second: the interval the loop really keeps, measured rather than assumed.
      const second = await nextRun('the second check of the loop');
      const loopPeriodMs = Date.parse(String(second)) - Date.parse(String(first));
      const sealedAt = Date.now();
      world.vault.seal();
      await waitUntil('the demotion', () => router.demotion() !== 0, { timeoutMs: 120_000 });
      const sealToDemotionMs = Date.now() - sealedAt;
      await stopLoop();
      // What the loop's next run had to do once Vault was sealed, timed on its own.
      const sealed = await runNode([CLI_PATH, '--config', router.configPath, 'check']);
      if (sealed.code === 0) throw new Error(`bench: a check with Vault sealed passed: ${sealed.stdout}`);

      // OVH down at the defaults: a fresh loop reads OVH at its first run, then once per
      // health.ovh_interval; the outage starts just after that read (the worst case).
      world.vault.unseal();
      stopLoop = startLoop(router.configPath);
      await nextRun('the first check of a fresh loop');
      await waitUntil('the demotion to clear', () => router.demotion() === 0, { timeoutMs: 90_000 });
      const downAt = Date.now();
      world.ovh.addFault({ path: '/*', action: { type: 'status', status: 503 } });
      await waitUntil('the demotion on OVH down', () => router.demotion() !== 0, { timeoutMs: 180_000 });
      const ovhDownToDemotionMs = Date.now() - downAt;
      world.ovh.clearFaults();
      return { noScripts, fiveScripts, sealToDemotionMs, loopPeriodMs, sealedCheckMs: sealed.wallMs, ovhDownToDemotionMs, maxRssKb: noScripts.maxRssKb };
    } finally {
      await stopLoop();
      await awaitDetachedWorkers(router.configPath);
    }
  } finally {
    await world.close();
  }
}

const SCRIPTS_GOAL = 1.3;
/** What the health loop promises at its defaults (docs/health.md): OVH down → demoted within 70 s. */
const OVH_DOWN_GOAL_MS = 70_000;

export const checkSection: BenchSection = {
  name: 'check',
  async run(ctx: BenchContext): Promise<SectionReport> {
    ctx.log('check timings, Vault sealed and OVH down under check --every 10s (about two minutes) …');
    const c = await checkTimings();
    const sealReference = c.loopPeriodMs + c.sealedCheckMs;
    // Probes and scripts run side by side: in parallel, five 1 s scripts cost no more
    // than the slower of the probes alone (measured) and one script.
    const scriptsReference = Math.max(c.noScripts.wallMs, 1000);
    const scriptsRatio = c.fiveScripts.wallMs / scriptsReference;
    const sealRatio = c.sealToDemotionMs / sealReference;
    return {
      rows: [
        ['check, 3 probes + 0 scripts: wall / CPU', `${ms(c.noScripts.wallMs)} / ${ms(c.noScripts.cpuMs)}`, '—', '—', '—'],
        [
          'check, 3 probes + 5 scripts sleeping 1 s: wall / CPU',
          `${ms(c.fiveScripts.wallMs)} / ${ms(c.fiveScripts.cpuMs)}`,
          `${ms(scriptsReference)} (${scriptsReference === 1000 ? 'one script' : 'the probes alone'})`,
          ratio(c.fiveScripts.wallMs, scriptsReference),
          `≤ ${SCRIPTS_GOAL}`,
        ],
        [
          'seal Vault → demotion written, check --every 10s',
          ms(c.sealToDemotionMs),
          `${ms(sealReference)} (interval + sealed check)`,
          ratio(c.sealToDemotionMs, sealReference),
          '≤ 1',
        ],
        [
          'OVH down → demotion written, check --every 10s, defaults',
          ms(c.ovhDownToDemotionMs),
          `${ms(OVH_DOWN_GOAL_MS)} (promised)`,
          ratio(c.ovhDownToDemotionMs, OVH_DOWN_GOAL_MS),
          '≤ 1',
        ],
        ['peak RSS: check', mib(c.maxRssKb), '—', '—', '—'],
      ],
      method: [
        "**check**: `carp-ovh check` with the vault, ovh-api and claim probes against the simulators, with 0 and with 5 service scripts that each sleep 1 s (run in parallel); median of 3; CPU is the check process's own user + system time. `probe_timeout` and `script_timeout` are raised to 60 s so that a busy machine measures the check, not a timeout.",
        `**seal → demotion**: Vault is sealed just after a run of \`check --every 10s\` has finished (the worst case: a whole interval to wait); the time until the demotion sysctl write. Its reference is measured in the same run: the loop's interval, start to start of two runs (${ms(c.loopPeriodMs)}), plus a lone \`check\` with Vault sealed (${ms(c.sealedCheckMs)}) — one interval, then one check (\`health.fall\` 1).`,
        '**OVH down → demotion**: a fresh `check --every 10s` at the default `health.ovh_interval` (1 min) and `health.fall` (1) reads OVH at its first run; just after it, the OVH simulator answers 503 to every request; the time until the demotion sysctl write. It is the worst case: the whole `ovh_interval` passes before the next read.',
        '**peak RSS**: maxRSS of the process, reported by a preloaded module at exit.',
      ],
      decisions: [
        scriptsRatio <= SCRIPTS_GOAL
          ? `**Service scripts run beside the probes, not after them.** Five 1 s scripts made the check take ${ms(c.fiveScripts.wallMs)}, ${ratio(c.fiveScripts.wallMs, scriptsReference)}× the slower of the probes alone (${ms(c.noScripts.wallMs)}) and one script (goal ≤ ${SCRIPTS_GOAL}).`
          : `**Service scripts cost more than running in parallel would.** Five 1 s scripts made the check take ${ms(c.fiveScripts.wallMs)}, ${ratio(c.fiveScripts.wallMs, scriptsReference)}× the slower of the probes alone (${ms(c.noScripts.wallMs)}) and one script (goal ≤ ${SCRIPTS_GOAL}): look for a script run after another.`,
        sealRatio <= 1
          ? `**A sealed Vault demotes within one interval and one check** (${ms(c.sealToDemotionMs)} against ${ms(sealReference)}): the loop adds no delay of its own.`
          : `**A sealed Vault took longer than one interval and one check to demote** (${ms(c.sealToDemotionMs)} against ${ms(sealReference)}, ${ratio(c.sealToDemotionMs, sealReference)}×): the loop waits more than its interval somewhere.`,
        c.ovhDownToDemotionMs <= OVH_DOWN_GOAL_MS
          ? `**Reading OVH once a minute still demotes within ${ms(OVH_DOWN_GOAL_MS)} of an outage** (${ms(c.ovhDownToDemotionMs)} in the worst case): the health loop's saving on OVH requests costs no safety promised in docs/health.md.`
          : `**OVH down took ${ms(c.ovhDownToDemotionMs)} to demote, past the ${ms(OVH_DOWN_GOAL_MS)} promised in docs/health.md**: lower \`health.ovh_interval\` or find what delays the read.`,
      ],
    };
  },
};
