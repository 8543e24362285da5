import { formatDuration } from '../../duration.ts';
import { CarpOvhError, describeError, isCarpOvhError } from '../../errors.ts';
import { Demotion, type Reason } from '../demotion.ts';
import { sleep } from '../../sleep.ts';
import type { Config } from '../../config/types.ts';
import type { LockHolder, LogPort, StateStore } from '../ports/index.ts';
import { demotionChanged } from '../notify/events.ts';
import { claimProbe } from './claim-probe.ts';
import { advance, HEALTH_FILE, settleReasons, type HealthFile, type Transition } from './hysteresis.ts';
import { ProbeRun } from './probe-run.ts';
import { ovhApiProbe, vaultProbe } from './probes.ts';
import { startScripts } from './scripts.ts';
import type { BuiltinProbe, HealthDeps, ProbeResult, ProbeVerdict, ScriptRunner } from './types.ts';

/**
 * `carp-ovh check`: the built-in probes and the service scripts in parallel,
 * then one update of the demotion reasons (so at most one sysctl write), the
 * hysteresis streaks and last-check.json (which `status` and `doctor` read).
 */

export const LAST_CHECK_FILE = 'last-check.json';

export interface CheckReport {
  at: string;
  healthy: boolean;
  durationMs: number;
  probes: ProbeResult[];
  demotion: {
    total: number;
    ours: boolean;
    changed: 'demoted' | 'promoted' | null;
    reasons: Record<string, Reason>;
    /** When the platform's demotion was read: earlier than `at` when `check --every` reused its last reading. */
    readAt: string;
  } | null;
  /** Why the demotion could not be read or written, when it could not. */
  error?: string;
}

const PROBES: Record<BuiltinProbe, (run: ProbeRun) => Promise<ProbeVerdict>> = {
  vault: vaultProbe,
  'ovh-api': ovhApiProbe,
  claim: claimProbe,
};

export interface CheckOutcome {
  report: CheckReport;
  /** Set when another process's check was running: its report is the answer, nothing ran twice. */
  sharedWith?: LockHolder;
}

/** What a check needs before anything else: its lock, then its scripts. */
export interface CheckStart {
  config: Config;
  state: StateStore;
  runScript: ScriptRunner;
  /** Told once, when another process's check holds the lock and this one waits for its report. */
  onWait?: (holder: LockHolder) => void;
}

/**
 * Runs the check, unless one is running already (the rc.d loop when cron fires,
 * or the other way round): then waits for that one and answers with its report.
 * Checks never overlap, and a loop that starts the next run at once cannot starve
 * a cron check that would wait for a gap.
 *
 * The scripts start as soon as the lock is ours; `deps` (the log, the adapters)
 * is built meanwhile, so slow scripts are not held up by module loading.
 */
export async function runCheck(start: CheckStart, deps: () => Promise<HealthDeps>): Promise<CheckOutcome> {
  const { state, config } = start;
  await state.ensure();
  // The longest a check can take: its slowest probe or script, plus a repair.
  const patienceMs = Math.max(config.health.probeTimeoutMs, config.health.scriptTimeoutMs) + config.ovh.deadlineMs;
  const deadline = Date.now() + patienceMs;
  let told = false;
  for (;;) {
    const lock = await state.tryLock('check', 'check');
    if (lock !== null) {
      try {
        const started = Date.now();
        const scripts = await startScripts(config.health, start.runScript);
        return { report: await checkLocked(await deps(), started, scripts.done) };
      } finally {
        await lock.release();
      }
    }
    const holder = await state.lockHolder('check');
    if (holder === null) {
      // Released meanwhile, or a holder that has just created the file: try again shortly.
      if (Date.now() >= deadline) throw new CarpOvhError(`the check lock in ${state.path} stayed busy for ${formatDuration(patienceMs)}`, { source: 'state' });
      await sleep(25);
      continue;
    }
    if (!told) {
      told = true;
      start.onWait?.(holder);
    }
    while ((await sameHolder(state, holder)) && Date.now() < deadline) await sleep(25);
    const report = (await state.readJson<CheckReport>(LAST_CHECK_FILE)).value;
    if (report !== null && Date.parse(report.at) >= Date.parse(holder.since)) return { report, sharedWith: holder };
    if (Date.now() >= deadline) {
      throw new CarpOvhError(`another check (pid ${holder.pid}) held the check lock for ${formatDuration(patienceMs)}`, { source: 'state' });
    }
  }
}

async function sameHolder(state: StateStore, holder: LockHolder): Promise<boolean> {
  const now = await state.lockHolder('check');
  return now !== null && now.pid === holder.pid && now.since === holder.since;
}

async function checkLocked(deps: HealthDeps, started: number, scripts: Promise<ProbeVerdict[]>): Promise<CheckReport> {
  const { config, state, log } = deps;
  const at = new Date(started).toISOString();
  const run = new ProbeRun(deps);
  let verdicts: ProbeVerdict[];
  let placements: ReadonlyMap<string, boolean | null> | null = null;
  let placementsAt: string | undefined;
  try {
    const [builtins, scriptVerdicts] = await Promise.all([Promise.all((Object.keys(PROBES) as BuiltinProbe[]).map((name) => runOne(run, name))), scripts]);
    verdicts = [...builtins, ...scriptVerdicts];
    // The probes have read OVH already (or failed to): this is their answer, not a new request.
    if (deps.metrics !== undefined) {
      const ovh = await run.ovh();
      placements = ovh.ok ? new Map([...ovh.value.placements].map(([address, placement]) => [address, placement.here ?? null])) : null;
      if (ovh.ok) placementsAt = new Date(ovh.value.readAt).toISOString();
    }
  } finally {
    run.close();
  }

  const previous = (await state.readJson<HealthFile>(HEALTH_FILE)).value?.probes ?? {};
  const { streaks, transitions } = advance(previous, verdicts, at);
  logTransitions(log, transitions);

  let demotion: CheckReport['demotion'] = null;
  let error: string | undefined;
  try {
    const clear = verdicts.find((v) => v.clearClaim !== undefined)?.clearClaim;
    let before: string[] = [];
    const loop = deps.loop;
    const reuse =
      loop === undefined ? undefined : { recall: loop.demotion, stale: (readAt: number) => loop.passed(Date.now(), readAt, config.health.platformIntervalMs) };
    const result = await demotionOf(deps).update((reasons) => {
      before = Object.keys(reasons);
      if (clear !== undefined) clearClaimReason(reasons, clear, log);
      settleReasons(reasons, verdicts, streaks, { fall: config.health.fall, rise: config.health.rise }, at);
    }, reuse);
    demotion = { total: result.total, ours: result.ours, changed: result.changed, reasons: result.reasons, readAt: new Date(result.readAt).toISOString() };
    const event = demotionChanged(result, before);
    if (event !== null) deps.notify?.notify(event);
  } catch (caught) {
    error = `cannot adjust ${deps.platform.describeDemotion()}: ${describeError(caught)}`;
    log.error({ err: isCarpOvhError(caught) ? caught.toLogObject() : { message: describeError(caught) } }, error);
  }
  const probes = verdicts.map(publicResult);
  const report: CheckReport = { at, healthy: probes.every((p) => p.ok), durationMs: Date.now() - started, probes, demotion };
  if (error !== undefined) report.error = error;
  await Promise.all([state.writeJson(HEALTH_FILE, { probes: streaks } satisfies HealthFile), state.writeJson(LAST_CHECK_FILE, report)]);
  await deps.metrics?.checkFinished({ at, probes, placements, ...(placementsAt === undefined ? {} : { placementsAt }) });
  log.debug(
    { healthy: report.healthy, durationMs: report.durationMs, failing: probes.filter((p) => !p.ok).map((p) => p.name) },
    `check ${report.healthy ? 'healthy' : 'unhealthy'} in ${formatDuration(report.durationMs)}`,
  );
  return report;
}

/**
 * `carp-ovh probe NAME`: one built-in probe, with what it depends on, and no
 * hysteresis (OPNsense's service-status run owns that decision). The claim probe
 * may still clear the `claim` reason, since nothing else would on such a box.
 */
export async function runProbe(deps: HealthDeps, name: BuiltinProbe): Promise<ProbeResult> {
  await deps.state.ensure();
  const run = new ProbeRun(deps);
  let verdict: ProbeVerdict;
  try {
    verdict = await runOne(run, name);
  } finally {
    run.close();
  }
  const clear = verdict.clearClaim;
  if (clear !== undefined) {
    let before: string[] = [];
    const result = await demotionOf(deps).update((reasons) => {
      before = Object.keys(reasons);
      clearClaimReason(reasons, clear, deps.log);
    });
    const event = demotionChanged(result, before);
    if (event !== null) deps.notify?.notify(event);
  }
  return publicResult(verdict);
}

async function runOne(run: ProbeRun, name: BuiltinProbe): Promise<ProbeVerdict> {
  try {
    return await PROBES[name](run);
  } catch (error) {
    return { name, ok: false, detail: describeError(run.asError(error, `the ${name} probe`)), durationMs: run.elapsed() };
  }
}

function demotionOf(deps: HealthDeps): Demotion {
  return new Demotion(deps.platform, deps.state, deps.config.health.demotion, deps.log);
}

/** Only the very reason the probe looked at: a claim that failed again since then sets a fresh one. */
function clearClaimReason(reasons: Record<string, Reason>, seen: { since: string; detail: string }, log: LogPort): void {
  const now = reasons.claim;
  if (now === undefined || now.by === 'check' || now.since !== seen.since || now.detail !== seen.detail) return;
  delete reasons.claim;
  log.info({ reason: 'claim', since: seen.since }, 'the claim demotion reason is cleared');
}

function publicResult(verdict: ProbeVerdict): ProbeResult {
  return { name: verdict.name, ok: verdict.ok, ...(verdict.skipped === true ? { skipped: true } : {}), detail: verdict.detail, durationMs: verdict.durationMs };
}

function logTransitions(log: LogPort, transitions: Transition[]): void {
  for (const t of transitions) {
    if (!t.ok) log.warn({ probe: t.name, detail: t.detail }, `health probe ${t.name} failed: ${t.detail}`);
    else if (t.changed) log.info({ probe: t.name, detail: t.detail }, `health probe ${t.name} passes again`);
  }
}
