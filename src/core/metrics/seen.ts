import type { ClaimOutcome } from '../reconcile.ts';
import type { ClaimSeen } from './recorder.ts';

const ON_OUR_MAC = new Set(['already-here', 'moved', 'attached']);

/** What a claim tells the metrics: its result and duration, and the VIPs it left (or found) here. */
export function claimSeenOf(outcome: ClaimOutcome): ClaimSeen {
  const here: ClaimSeen['here'] = [];
  for (const vhid of outcome.vhids) {
    for (const address of vhid.addresses) if (ON_OUR_MAC.has(address.result)) here.push({ key: vhid.key, address: address.address });
  }
  return { at: outcome.at, result: outcome.result, durationMs: outcome.durationMs, here };
}
