import { formatDuration } from '../../duration.ts';
import { describeError } from '../../errors.ts';
import type { ProbeRun } from './probe-run.ts';
import type { ProbeVerdict } from './types.ts';

/**
 * `vault`: log in, read the secret, the three keys present (what every claim does
 * first). A secretsmith file others may read is worth a warning, not a demotion:
 * the router can still claim.
 */
export async function vaultProbe(run: ProbeRun): Promise<ProbeVerdict> {
  const credentials = run.deps.config.ovh.credentials;
  const [step, loose] = await Promise.all([run.credentials(), credentials.kind === 'vault' ? run.deps.fileModeProblem(credentials.config) : null]);
  const warning = loose === null ? '' : `; warning: ${loose}`;
  const durationMs = run.elapsed();
  if (!step.ok) return { name: 'vault', ok: false, detail: `${step.error === undefined ? step.notRun : describeError(step.error)}${warning}`, durationMs };
  return {
    name: 'vault',
    ok: true,
    detail: `${step.value.description}: read, with application_key, application_secret and consumer_key${warning}`,
    durationMs,
  };
}

/**
 * `ovh-api`: the clock offset from /auth/time, then the signed reads the claim
 * starts with (each entry's provider locates its addresses): proves the
 * credentials, the access rules and the path to the API. Under `check --every` it
 * reads OVH once per health.ovh_interval while it passes, and at every run while
 * it fails; in between it repeats its last answer, which moves no streak.
 */
export async function ovhApiProbe(run: ProbeRun): Promise<ProbeVerdict> {
  const memory = run.deps.loop;
  const due = memory === undefined || memory.ovhDue(run.started, run.deps.config.health.ovhIntervalMs);
  const step = await run.ovh({ fresh: due });
  const durationMs = run.elapsed();
  const last = memory?.ovhVerdict;
  if (step.ok && step.value.readAt < run.started && last !== undefined && last !== null) {
    const age = formatDuration(Math.max(0, run.started - step.value.readAt));
    return { ...last.verdict, reused: true, detail: `${last.verdict.detail} (as read ${age} ago)`, durationMs };
  }
  const verdict = freshVerdict(run, step, durationMs);
  if (memory !== undefined && verdict.skipped !== true) memory.ovhVerdict = { verdict, at: run.started };
  return verdict;
}

function freshVerdict(_run: ProbeRun, step: Awaited<ReturnType<ProbeRun['ovh']>>, durationMs: number): ProbeVerdict {
  if (step.ok) {
    const offset = step.value.offsetSec;
    return { name: 'ovh-api', ok: true, detail: `clock offset ${offset >= 0 ? '+' : ''}${offset}s; read ${step.value.reads.join(', ')}`, durationMs };
  }
  if (step.notRun !== undefined) {
    const why = step.notRun === 'vault' ? 'no OVH credentials (vault failed)' : step.notRun;
    return { name: 'ovh-api', ok: false, skipped: true, detail: `not run: ${why}`, durationMs };
  }
  return { name: 'ovh-api', ok: false, detail: describeError(step.error), durationMs };
}
