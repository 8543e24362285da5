import type { DemotionResult } from '../demotion.ts';
import type { ClaimOutcome } from '../reconcile.ts';

/**
 * What notify scripts are told, and when: a claim started, succeeded or failed;
 * the router was demoted or promoted; maintenance was entered or left. Events
 * carry names from the config and fixed words, never a credential.
 */

export type NotifyEventName = 'claim-started' | 'claim-succeeded' | 'claim-failed' | 'demoted' | 'promoted' | 'maintenance-entered' | 'maintenance-left';

export const NOTIFY_EVENTS: readonly NotifyEventName[] = [
  'claim-started',
  'claim-succeeded',
  'claim-failed',
  'demoted',
  'promoted',
  'maintenance-entered',
  'maintenance-left',
];

export interface NotifyEvent {
  event: NotifyEventName;
  /** ISO time the event happened. */
  at: string;
  /** Failover entries concerned (`2@vmx1`). */
  keys: string[];
  addresses: string[];
  /** demoted: the reasons holding; promoted: the reasons that held until then. */
  reasons: string[];
  /** One line for a human: the claim's error, the reasons' details. */
  detail: string;
  /** The platform's demotion value after a demotion or promotion. */
  demotion?: number;
  /** claim-succeeded / claim-failed. */
  durationMs?: number;
  /** What started the claim: `hook 2@vmx1 MASTER`, `reconcile`, `check`. */
  trigger?: string;
}

/** Fire and forget: a notifier never waits for the scripts, and never throws. */
export interface Notifier {
  notify(event: NotifyEvent): void;
}

export function claimStarted(targets: ReadonlyArray<{ key: string; addresses: readonly string[] }>, trigger: string): NotifyEvent {
  return {
    event: 'claim-started',
    at: new Date().toISOString(),
    keys: targets.map((t) => t.key),
    addresses: targets.flatMap((t) => [...t.addresses]),
    reasons: [],
    detail: `claiming ${targets.flatMap((t) => [...t.addresses]).join(', ')}`,
    trigger,
  };
}

/** claim-succeeded or claim-failed; null for results that are neither (cancelled, nothing to do, busy). */
export function claimEnded(outcome: ClaimOutcome): NotifyEvent | null {
  if (outcome.result !== 'ok' && outcome.result !== 'failed') return null;
  const vhids = outcome.vhids.filter((v) => (outcome.result === 'ok' ? v.result === 'ok' : v.result === 'failed'));
  return {
    event: outcome.result === 'ok' ? 'claim-succeeded' : 'claim-failed',
    at: new Date().toISOString(),
    keys: vhids.map((v) => v.key),
    addresses: vhids.flatMap((v) => v.addresses.map((a) => a.address)),
    reasons: [],
    detail: outcome.result === 'ok' ? 'claim finished' : String(outcome.error?.message ?? 'claim failed'),
    durationMs: outcome.durationMs,
    trigger: outcome.trigger,
  };
}

/** demoted / promoted when the change made one; `before` is the reasons held before the change. */
export function demotionChanged(result: Pick<DemotionResult, 'changed' | 'reasons' | 'total'>, before: readonly string[]): NotifyEvent | null {
  if (result.changed === null) return null;
  const demoted = result.changed === 'demoted';
  const reasons = demoted ? Object.keys(result.reasons).sort() : [...before].sort();
  return {
    event: result.changed,
    at: new Date().toISOString(),
    keys: [],
    addresses: [],
    reasons,
    detail: demoted
      ? reasons.map((name) => `${name}: ${result.reasons[name]?.detail ?? ''}`).join('; ')
      : `no reason holds any more (was: ${reasons.join(', ')})`,
    demotion: result.total,
  };
}

export function maintenanceEvent(event: 'maintenance-entered' | 'maintenance-left', addresses: string[]): NotifyEvent {
  return {
    event,
    at: new Date().toISOString(),
    keys: [],
    addresses,
    reasons: ['maintenance'],
    detail: event === 'maintenance-entered' ? 'planned failover to the peer' : 'maintenance over',
  };
}
