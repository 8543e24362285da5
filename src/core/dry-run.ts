import type { FailoverEntry } from '../config/types.ts';
import { CarpOvhError, deadlineAware } from '../errors.ts';
import type { CarpState, ClaimContext, OvhCredentials, PlannedCall } from './ports/index.ts';
import { ourMac } from './our-mac.ts';
import type { ClaimDeps } from './reconcile.ts';

/**
 * `reconcile --dry-run` / `hook … --dry-run`: everything a claim does before its
 * first change at OVH, for real (CARP state, our MAC, credentials, locate and the
 * provider's own checks), then the changes it would send, in order. Nothing is
 * written: no event, no claim record, no demotion, no lock.
 */

export interface EntryPlan {
  key: string;
  state: CarpState | 'absent';
  mac: string | null;
  result: 'planned' | 'not-master' | 'failed';
  calls: PlannedCall[];
  error?: string;
}

export interface DryRunReport {
  complete: boolean;
  entries: EntryPlan[];
  error?: string;
}

export async function planClaim(deps: ClaimDeps, entries: readonly FailoverEntry[]): Promise<DryRunReport> {
  const signal = AbortSignal.timeout(deps.config.ovh.deadlineMs);
  const plans: Array<{ entry: FailoverEntry; plan: EntryPlan }> = [];
  for (const entry of entries) {
    const view = await deps.platform.readEntry(entry);
    const state = view.state;
    const mac = state === 'MASTER' ? ourMac(entry, view) : null;
    const plan: EntryPlan = { key: deps.platform.entryKey(entry), state, mac, result: state === 'MASTER' ? 'planned' : 'not-master', calls: [] };
    if (state === 'MASTER' && mac === null) {
      plan.result = 'failed';
      plan.error = `${entry.interface} shows no ether address: set failover[].mac in the config`;
    }
    plans.push({ entry, plan });
  }
  const claimable = plans.filter(({ plan }) => plan.result === 'planned');
  if (claimable.length > 0) {
    let credentials: OvhCredentials;
    try {
      credentials = await (await deps.secrets()).readOvhCredentials({ signal });
    } catch (error) {
      const failure = deadlineAware(error, signal);
      for (const { plan } of claimable) {
        plan.result = 'failed';
        plan.error = `cannot read the OVH credentials: ${failure.message}`;
      }
      return { complete: false, entries: plans.map((p) => p.plan), error: `cannot read the OVH credentials: ${failure.message}` };
    }
    const providerFor = await deps.providers(credentials);
    const ctx: ClaimContext = {
      signal,
      deadline: Date.now() + deps.config.ovh.deadlineMs,
      // A plan sends nothing, so there is nothing to guard.
      guard: async () => undefined,
      log: deps.log,
    };
    await Promise.all(
      claimable.map(async ({ entry, plan }) => {
        const provider = providerFor(entry);
        try {
          if (provider.plan === undefined) throw new CarpOvhError(`via ${entry.via} cannot plan a claim yet (--dry-run)`, { source: 'claim' });
          plan.calls = await provider.plan({ addresses: entry.addresses, mac: plan.mac ?? '', vmName: entry.vmName }, ctx);
        } catch (error) {
          plan.result = 'failed';
          plan.error = deadlineAware(error, signal).message;
        }
      }),
    );
  }
  const list = plans.map((p) => p.plan);
  return { complete: list.every((p) => p.result !== 'failed'), entries: list };
}
