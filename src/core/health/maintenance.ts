import { formatDuration } from '../../duration.ts';
import { describeError } from '../../errors.ts';
import { sleep } from '../../sleep.ts';
import { Demotion, type DemotionResult } from '../demotion.ts';
import { isHere } from '../our-mac.ts';
import { observeEntries, type Observed } from './observe.ts';
import type { OvhProbeSession, Placement } from '../ports/index.ts';
import type { HealthDeps } from './types.ts';
import { demotionChanged, maintenanceEvent } from '../notify/events.ts';

/**
 * Planned failover (upgrades, blue/green): `enter` adds the `maintenance` reason,
 * then watches until CARP has made this router BACKUP and OVH routes every VIP to
 * another MAC (the peer claimed it); `leave` removes the reason. The check never
 * touches this reason, so a healthy check does not undo a maintenance.
 */

export const MAINTENANCE_REASON = 'maintenance';

export interface EnterOptions {
  timeoutMs: number;
  pollMs: number;
  progress: (line: string) => void;
}

export interface EnterResult {
  ok: boolean;
  tookMs: number;
  /** The last thing seen: states and where OVH routes each address. */
  summary: string;
  demotion: DemotionResult;
}

export async function enterMaintenance(deps: HealthDeps, options: EnterOptions): Promise<EnterResult> {
  const started = Date.now();
  await deps.state.ensure();
  let before: string[] = [];
  const demotion = await new Demotion(deps.platform, deps.state, deps.config.health.demotion, deps.log).update((reasons) => {
    before = Object.keys(reasons);
    reasons[MAINTENANCE_REASON] = {
      since: reasons[MAINTENANCE_REASON]?.since ?? new Date().toISOString(),
      detail: 'carp-ovh maintenance enter: planned failover to the peer',
    };
  });
  if (!before.includes(MAINTENANCE_REASON)) deps.notify?.notify(maintenanceEvent('maintenance-entered', allAddresses(deps)));
  const changed = demotionChanged(demotion, before);
  if (changed !== null) deps.notify?.notify(changed);
  const others = Object.keys(demotion.reasons).filter((name) => name !== MAINTENANCE_REASON);
  options.progress(
    `${deps.platform.describeDemotion()} is ${demotion.total}${alreadyDemoted(demotion.changed, others)}: waiting until this router is BACKUP and OVH routes the VIPs to the peer`,
  );

  const deadline = started + options.timeoutMs;
  let session: OvhProbeSession | null = null;
  let shown = '';
  let lastProblem = '';
  try {
    for (;;) {
      const observed = await observeEntries(deps.platform, deps.config.failover);
      let placements: Map<string, Placement> | null = null;
      try {
        session ??= await openSession(deps);
        placements = await locateAll(deps, session, observed);
        lastProblem = '';
      } catch (error) {
        session?.close();
        session = null;
        const problem = describeError(error);
        if (problem !== lastProblem) options.progress(`[${elapsed(started)}] cannot read the placement at OVH: ${problem} (trying again)`);
        lastProblem = problem;
      }
      const lines = observed.map((o) => {
        const where = o.entry.addresses.map((address) => {
          if (placements === null) return `${address} at OVH: unknown`;
          const found = placements.get(address);
          const holder = found?.holder ?? null;
          if (holder === null) return `${address} routed nowhere`;
          return `${address} on ${holder}${found?.here === true ? ' (this router)' : ''}`;
        });
        return `${o.key} ${o.state}, ${where.join(', ')}`;
      });
      const summary = lines.join('; ');
      if (summary !== shown) options.progress(`[${elapsed(started)}] ${summary}`);
      shown = summary;

      const done =
        placements !== null &&
        observed.every(
          (o) =>
            o.state !== 'MASTER' &&
            o.entry.addresses.every((address) => {
              const found = placements?.get(address);
              return (found?.holder ?? null) !== null && found?.here !== true;
            }),
        );
      if (done) return { ok: true, tookMs: Date.now() - started, summary, demotion };
      if (Date.now() >= deadline) return { ok: false, tookMs: Date.now() - started, summary, demotion };
      await sleep(Math.min(options.pollMs, Math.max(0, deadline - Date.now())));
    }
  } finally {
    session?.close();
  }
}

export async function leaveMaintenance(deps: HealthDeps): Promise<{ wasIn: boolean; demotion: DemotionResult }> {
  await deps.state.ensure();
  let wasIn = false;
  let before: string[] = [];
  const demotion = await new Demotion(deps.platform, deps.state, deps.config.health.demotion, deps.log).update((reasons) => {
    before = Object.keys(reasons);
    wasIn = reasons[MAINTENANCE_REASON] !== undefined;
    delete reasons[MAINTENANCE_REASON];
  });
  if (wasIn) deps.notify?.notify(maintenanceEvent('maintenance-left', allAddresses(deps)));
  const changed = demotionChanged(demotion, before);
  if (changed !== null) deps.notify?.notify(changed);
  return { wasIn, demotion };
}

async function openSession(deps: HealthDeps): Promise<OvhProbeSession> {
  const source = await deps.secrets();
  return deps.ovh(await source.readOvhCredentials());
}

async function locateAll(deps: HealthDeps, session: OvhProbeSession, observed: readonly Observed[]): Promise<Map<string, Placement>> {
  const signal = AbortSignal.timeout(deps.config.ovh.timeoutMs * 2);
  const placements = new Map<string, Placement>();
  const macOf = new Map(observed.flatMap((o) => o.entry.addresses.map((address) => [address, o.mac] as const)));
  for (const p of await session.locate(
    observed.map((o) => ({ entry: o.entry, mac: o.mac })),
    signal,
  ))
    placements.set(p.address, { ...p, here: isHere(p, macOf.get(p.address) ?? null) });
  return placements;
}

function elapsed(started: number): string {
  return formatDuration(Date.now() - started);
}

function allAddresses(deps: HealthDeps): string[] {
  return deps.config.failover.flatMap((entry) => entry.addresses);
}

/** ` (already demoted for vault, claim)` when the counter was already ours before maintenance. */
function alreadyDemoted(changed: string | null, others: readonly string[]): string {
  if (changed === 'demoted') return '';
  return ` (already demoted${others.length > 0 ? ` for ${others.join(', ')}` : ''})`;
}
