import { formatDuration } from '../../duration.ts';
import { describeError } from '../../errors.ts';
import { Demotion } from '../demotion.ts';
import { newSequence } from '../events.ts';
import { LAST_CLAIM_FILE, runClaim, type ClaimOutcome } from '../reconcile.ts';
import type { Observed } from './observe.ts';
import type { ProbeRun } from './probe-run.ts';
import type { ProbeVerdict } from './types.ts';

/**
 * `claim`: can this router hold the VIPs? Fails while the `claim` reason holds
 * (the last claim failed, and neither a later success nor health.claim_hold with
 * `vault` and `ovh-api` healthy has cleared it). When this router is MASTER for a
 * vhid whose addresses OVH routes elsewhere, it runs the claim again: a repair,
 * not only a demotion.
 */

export async function claimProbe(run: ProbeRun): Promise<ProbeVerdict> {
  const { deps } = run;
  const notes: string[] = [];
  const failures: string[] = [];
  let notRun: string | null = null;
  let reasonHeldElsewhere = false;
  let clearClaim: ProbeVerdict['clearClaim'];

  const memory = deps.loop;
  const interval = deps.config.health.claimIntervalMs;
  let read = await run.observed();
  // A MASTER is compared with a fresh OVH read once per interval: with a fresh CARP read too.
  if (read.ok && run.carpReusedAt() !== null && read.value.some((o) => o.state === 'MASTER') && memory?.claimTimeDue(run.started, interval) === true) {
    read = await run.observed({ fresh: true });
  }
  if (!read.ok) return { name: 'claim', ok: false, detail: describeError(read.error ?? 'reading the CARP state failed'), durationMs: run.elapsed() };
  const observed: Observed[] = read.value;

  const masters = observed.filter((o) => o.state === 'MASTER');
  for (const o of observed) if (o.state !== 'MASTER') notes.push(`${o.key} ${o.state}`);
  const macless = masters.filter((o) => o.mac === null);
  if (macless.length > 0) {
    failures.push(`${macless.map((o) => o.entry.interface).join(', ')} shows no ether address: set failover[].mac in the config`);
  }

  if (masters.length > macless.length) {
    const mastersSeen = masters.map((o) => `${o.key}=${o.mac ?? ''}`).join(',');
    const due = memory === undefined || memory.claimDue(run.started, interval, mastersSeen);
    const ovh = await run.ovh({ fresh: due });
    if (ovh.ok && due && memory !== undefined) memory.claim = { at: run.started, masters: mastersSeen };
    if (!ovh.ok) {
      const why = ovh.notRun === undefined ? 'ovh-api failed' : ovh.notRun === 'vault' ? 'vault failed' : ovh.notRun;
      notRun = `not run: cannot see where OVH routes the VIPs of ${masters.map((o) => o.key).join(', ')} (${why})`;
    } else {
      const misplaced: Array<{ o: Observed; wrong: string[] }> = [];
      for (const o of masters) {
        if (o.mac === null) continue;
        const wrong = o.entry.addresses.filter((address) => ovh.value.placements.get(address)?.here !== true);
        if (wrong.length === 0) notes.push(`${o.key} MASTER, ${o.entry.addresses.join(', ')} on our MAC`);
        else misplaced.push({ o, wrong });
      }
      if (misplaced.length > 0) {
        // Whatever the repair does, OVH's placement is no longer what was read.
        memory?.forgetPlacement();
        const repaired = await repair(run, misplaced, (where) => ovh.value.placements.get(where)?.holder ?? null);
        if (repaired.failure !== null) {
          failures.push(repaired.failure);
          // A failed claim has set the `claim` reason itself.
          reasonHeldElsewhere = true;
        }
        notes.push(...repaired.notes);
      }
    }
  }

  const held = await claimReason(run);
  if (held.failure !== null) {
    failures.push(held.failure);
    reasonHeldElsewhere = true;
  }
  if (held.clear !== undefined) clearClaim = held.clear;
  notes.push(...held.notes);

  const carpAt = run.carpReusedAt();
  if (carpAt !== null) notes.push(`CARP as read ${formatDuration(Math.max(0, run.started - carpAt))} ago`);
  const durationMs = run.elapsed();
  const detail = [...(failures.length > 0 ? failures : notRun === null ? [] : [notRun]), ...notes].join('; ');
  if (failures.length > 0) return { name: 'claim', ok: false, detail, durationMs, reasonHeldElsewhere, clearClaim };
  if (notRun !== null) return { name: 'claim', ok: false, skipped: true, detail, durationMs, clearClaim };
  return { name: 'claim', ok: true, detail: detail === '' ? 'no failover entry' : detail, durationMs, clearClaim };
}

async function repair(
  run: ProbeRun,
  misplaced: Array<{ o: Observed; wrong: string[] }>,
  holderOf: (address: string) => string | null,
): Promise<{ failure: string | null; notes: string[] }> {
  const { deps } = run;
  const what = misplaced
    .map(({ o, wrong }) => `${o.key} MASTER but OVH routes ${wrong.map((a) => `${a} to ${holderOf(a) ?? 'nowhere'}`).join(', ')}`)
    .join('; ');
  // The hook's worker may be claiming right now (its event came moments ago): leave it be.
  const running = await deps.state.lockHolder('claim');
  if (running !== null) return { failure: null, notes: [`${what}: a claim is running (pid ${running.pid}, ${running.purpose})`] };

  deps.log.warn({ vhids: misplaced.map(({ o }) => o.key) }, `${what}: claiming again`);
  const outcome: ClaimOutcome = await runClaim(
    await deps.claim(),
    misplaced.map(({ o }) => ({ entry: o.entry, seq: newSequence() })),
    'check (repair)',
  );
  const took = formatDuration(outcome.durationMs);
  switch (outcome.result) {
    case 'ok':
      return { failure: null, notes: [`${what}: repaired in ${took}`] };
    case 'failed':
      return { failure: `${what}: the repair failed after ${took}: ${String(outcome.error?.message ?? 'see last-claim.json')}`, notes: [] };
    case 'busy':
      return { failure: null, notes: [`${what}: a claim is running`] };
    default:
      return { failure: null, notes: [`${what}: the repair ended ${outcome.result} (no longer MASTER, or a newer CARP event took over)`] };
  }
}

/** The `claim` reason, and whether this run may clear it. */
async function claimReason(run: ProbeRun): Promise<{ failure: string | null; clear?: { since: string; detail: string }; notes: string[] }> {
  const { deps } = run;
  const demotion = new Demotion(deps.platform, deps.state, deps.config.health.demotion, deps.log);
  const reason = (await demotion.reasons()).claim;
  if (reason === undefined || reason.by === 'check') return { failure: null, notes: [] };
  const clear = { since: reason.since, detail: reason.detail };

  const last = (await deps.state.readJson<Partial<ClaimOutcome>>(LAST_CLAIM_FILE)).value;
  const lastEnd = typeof last?.at === 'string' ? Date.parse(last.at) + (typeof last.durationMs === 'number' ? last.durationMs : 0) : Number.NaN;
  const since = Date.parse(reason.since);
  if (last?.result === 'ok' && lastEnd >= since) {
    return { failure: null, clear, notes: [`the claim reason clears: the claim of ${new Date(lastEnd).toISOString()} succeeded`] };
  }
  const failedAt = last?.result === 'failed' && Number.isFinite(lastEnd) ? lastEnd : since;
  const until = failedAt + deps.config.health.claimHoldMs;
  const hold = formatDuration(deps.config.health.claimHoldMs);
  if (Date.now() < until) {
    return {
      failure: `the last claim failed (${reason.detail}); the claim reason holds until ${new Date(until).toISOString()} (health.claim_hold ${hold}) unless a claim succeeds first`,
      notes: [],
    };
  }
  const ovh = await run.ovh();
  if (!ovh.ok) {
    return {
      failure: `the last claim failed (${reason.detail}); health.claim_hold (${hold}) has passed, but the reason clears only in a check where vault and ovh-api pass`,
      notes: [],
    };
  }
  return { failure: null, clear, notes: [`the claim reason clears: health.claim_hold (${hold}) passed since the failed claim, and vault and ovh-api pass`] };
}
