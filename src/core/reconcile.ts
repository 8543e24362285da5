import type { Config, FailoverEntry } from '../config/types.ts';
import { formatDuration } from '../duration.ts';
import { CarpOvhError, deadlineAware } from '../errors.ts';
import { Demotion } from './demotion.ts';
import { isSuperseded } from './events.ts';
import type { MetricsRecorder } from './metrics/recorder.ts';
import { claimSeenOf } from './metrics/seen.ts';
import { claimEnded, claimStarted, demotionChanged, type Notifier } from './notify/events.ts';
import { ourMac } from './our-mac.ts';
import type { AddressOutcome, CarpState, ClaimContext, FailoverProvider, LogPort, OvhCredentials, Platform, SecretSource, StateStore } from './ports/index.ts';

/**
 * The claim: make OVH route every VIP of the vhids that are MASTER here to this
 * router's MAC, one claim at a time per router, and demote at once if that fails
 * so the peer tries from its side.
 */

export interface ClaimDeps {
  config: Config;
  platform: Platform;
  state: StateStore;
  log: LogPort;
  secrets: () => Promise<SecretSource>;
  /** The provider of each entry (by its `via`), sharing one OVH client and its rate limit. */
  providers: (credentials: OvhCredentials) => Promise<(entry: FailoverEntry) => FailoverProvider>;
  /** Set when metrics are on (metrics.textfile or metrics.listen). */
  metrics?: Pick<MetricsRecorder, 'claimFinished'>;
  /** Set when notify.scripts is: told when a claim starts and ends, and of demotions it causes. */
  notify?: Notifier;
}

export interface ClaimTarget {
  entry: FailoverEntry;
  /** Sequence of the event (or reconcile start) this claim answers; a newer one supersedes it. */
  seq: bigint;
}

export type VhidResult = 'ok' | 'failed' | 'cancelled' | 'not-master';

export interface VhidOutcome {
  /** What the platform's events call the entry (`2@vmx1`, `carp0`, `VI_1`). */
  key: string;
  /** Present when the entry has one. */
  vhid?: number;
  interface: string;
  state: CarpState | 'absent' | 'unknown';
  mac: string | null;
  result: VhidResult;
  addresses: AddressOutcome[];
  error?: Record<string, unknown>;
}

export type ClaimResult = 'ok' | 'failed' | 'cancelled' | 'nothing-to-do' | 'busy';

export interface ClaimOutcome {
  at: string;
  trigger: string;
  pid: number;
  result: ClaimResult;
  durationMs: number;
  vhids: VhidOutcome[];
  /** The first failure, as logged; its `badInput` decides between exit 1 and 2. */
  error?: Record<string, unknown>;
}

export const LAST_CLAIM_FILE = 'last-claim.json';

export async function runClaim(deps: ClaimDeps, targets: ClaimTarget[], trigger: string): Promise<ClaimOutcome> {
  const { config, state, log } = deps;
  const started = Date.now();
  await state.ensure();

  const allSuperseded = async (): Promise<boolean> => {
    for (const target of targets) if ((await isSuperseded(state, deps.platform.entryKey(target.entry), target.seq)) === null) return false;
    return true;
  };
  const lock = await state.waitLock('claim', trigger, { deadline: started + config.ovh.deadlineMs, pollMs: 50, shouldStop: allSuperseded });
  if (lock === null) {
    const superseded = await allSuperseded();
    const holder = await state.lockHolder('claim');
    log.warn(
      { holder },
      superseded ? 'a newer event arrived while waiting for the running claim: leaving it to that one' : 'another claim held the lock for the whole deadline',
    );
    return finish({ result: superseded ? 'cancelled' : 'busy', vhids: [] }, false);
  }

  try {
    const deadline = Date.now() + config.ovh.deadlineMs;
    const signal = AbortSignal.timeout(config.ovh.deadlineMs);
    const vhids: VhidOutcome[] = [];
    const claimable: Array<{ target: ClaimTarget; outcome: VhidOutcome; guard: ClaimContext['guard'] }> = [];

    for (const target of targets) {
      const { entry } = target;
      const key = deps.platform.entryKey(entry);
      const outcome: VhidOutcome = {
        key,
        ...(entry.vhid === undefined ? {} : { vhid: entry.vhid }),
        interface: entry.interface,
        state: 'unknown',
        mac: null,
        result: 'not-master',
        addresses: [],
      };
      vhids.push(outcome);
      const superseded = await isSuperseded(state, key, target.seq);
      if (superseded !== null) {
        log.info({ key, vhid: entry.vhid, iface: entry.interface, newer: superseded.type }, `${key}: a newer ${superseded.type} event supersedes this claim`);
        outcome.result = 'cancelled';
        continue;
      }
      const view = await deps.platform.readEntry(entry);
      outcome.state = view.state;
      if (outcome.state !== 'MASTER') {
        log.info({ key, vhid: entry.vhid, iface: entry.interface, state: outcome.state }, `${key} is ${outcome.state}, not MASTER: nothing to claim`);
        // Traffic for the VIP must stop arriving here: drop its alias (a failure is logged, the peer's claim goes on).
        await setAliases(deps, entry, false).catch((error: unknown) => {
          log.error({ key, err: asError(error).toLogObject() }, `${key}: cannot remove the alias: ${asError(error).message}`);
        });
        continue;
      }
      outcome.mac = ourMac(entry, view);
      if (outcome.mac === null) {
        outcome.result = 'failed';
        outcome.error = new CarpOvhError(`${entry.interface} shows no ether address: set failover[].mac in the config`, { source: 'platform' }).toLogObject();
        continue;
      }
      // With `alias`, OVH must route to the alias interface's MAC: name the interface it came from.
      const macFrom = entry.alias?.interface ?? entry.interface;
      log.info({ iface: macFrom, mac: outcome.mac }, `Detected MAC on ${macFrom}: ${outcome.mac}`);
      // The alias goes on before OVH routes the VIP here, so the first packets find it.
      try {
        await setAliases(deps, entry, true);
      } catch (error) {
        const failure = asError(error);
        log.error({ key, err: failure.toLogObject() }, `${key}: cannot add the alias: ${failure.message}`);
        outcome.result = 'failed';
        outcome.error = failure.toLogObject();
        continue;
      }
      claimable.push({ target, outcome, guard: makeGuard(deps, target) });
    }

    if (claimable.length > 0) {
      deps.notify?.notify(
        claimStarted(
          claimable.map(({ target }) => ({ key: deps.platform.entryKey(target.entry), addresses: target.entry.addresses })),
          trigger,
        ),
      );
      let credentials: OvhCredentials;
      try {
        const source = await deps.secrets();
        credentials = await source.readOvhCredentials({ signal });
        log.info({ source: source.description }, 'OVH credentials read');
      } catch (error) {
        const failure = asError(error, signal);
        log.error({ err: failure.toLogObject() }, `cannot read the OVH credentials: ${failure.message}`);
        for (const { outcome } of claimable) {
          outcome.result = 'failed';
          outcome.error = failure.toLogObject();
        }
        return await finish({ result: 'failed', vhids, error: failure.toLogObject() }, true);
      }

      const providerFor = await deps.providers(credentials);
      await Promise.all(
        claimable.map(async ({ target, outcome, guard }) => {
          const ctx: ClaimContext = { signal, deadline, guard, log };
          try {
            outcome.addresses = await providerFor(target.entry).claim(
              { addresses: target.entry.addresses, mac: outcome.mac ?? '', vmName: target.entry.vmName },
              ctx,
            );
            outcome.result = vhidResult(outcome.addresses);
          } catch (error) {
            const failure = asError(error, signal);
            outcome.result = failure.isCanceled ? 'cancelled' : 'failed';
            outcome.error = failure.toLogObject();
          }
        }),
      );
    }

    const failed = vhids.filter((v) => v.result === 'failed');
    const result: ClaimResult =
      failed.length > 0 ? 'failed' : vhids.some((v) => v.result === 'cancelled') ? 'cancelled' : vhids.some((v) => v.result === 'ok') ? 'ok' : 'nothing-to-do';
    return await finish({ result, vhids, error: firstError(failed) }, true);
  } finally {
    await lock.release();
  }

  async function finish(partial: Pick<ClaimOutcome, 'result' | 'vhids' | 'error'>, record: boolean): Promise<ClaimOutcome> {
    const outcome: ClaimOutcome = { at: new Date(started).toISOString(), trigger, pid: process.pid, durationMs: Date.now() - started, ...partial };
    if (record) {
      await state.writeJson(LAST_CLAIM_FILE, outcome);
      const ended = claimEnded(outcome);
      if (ended !== null) deps.notify?.notify(ended);
      await settleDemotion(deps, outcome);
      logSummary(log, outcome);
    }
    await deps.metrics?.claimFinished(claimSeenOf(outcome));
    return outcome;
  }
}

/**
 * A failed claim raises the bit at once; a successful one clears the `claim`
 * reason. A cancelled claim or one with nothing to do says nothing about our
 * ability to claim, so it changes nothing.
 */
async function settleDemotion(deps: ClaimDeps, outcome: ClaimOutcome): Promise<void> {
  const demotion = new Demotion(deps.platform, deps.state, deps.config.health.demotion, deps.log);
  try {
    const before = Object.keys(await demotion.reasons());
    let changed: Awaited<ReturnType<Demotion['setReason']>> | null = null;
    if (outcome.result === 'failed') {
      const which = outcome.vhids.filter((v) => v.result === 'failed').map((v) => v.key);
      changed = await demotion.setReason('claim', `claim failed for ${which.join(', ')}: ${String(outcome.error?.message ?? 'see last claim')}`);
    } else if (outcome.result === 'ok') {
      if (before.includes('claim')) changed = await demotion.clearReason('claim');
    }
    const event = changed === null ? null : demotionChanged(changed, before);
    if (event !== null) deps.notify?.notify(event);
  } catch (error) {
    // The claim's own result stands; a demotion we could not write is its own alarm.
    deps.log.error({ err: asError(error).toLogObject() }, `cannot adjust ${deps.platform.describeDemotion()}: ${asError(error).message}`);
  }
}

/**
 * A BACKUP or INIT event for an entry with `alias`: the VIP's traffic must stop
 * arriving here. The state is read again first (a MASTER event may have overtaken it).
 */
export async function releaseAliases(deps: ClaimDeps, entry: ClaimTarget['entry']): Promise<void> {
  if (entry.alias === undefined) return;
  const key = deps.platform.entryKey(entry);
  const { state } = await deps.platform.readEntry(entry);
  if (state === 'MASTER') {
    deps.log.info({ key }, `${key} is MASTER again: keeping the alias`);
    return;
  }
  await setAliases(deps, entry, false);
}

/**
 * `alias: {interface}`: the VIP as a /32 alias there while MASTER, gone otherwise.
 * Each address is read first, so nothing is changed (or logged) when it is as it should be.
 */
async function setAliases(deps: ClaimDeps, entry: ClaimTarget['entry'], present: boolean): Promise<void> {
  const where = entry.alias?.interface;
  if (where === undefined) return;
  const alias = deps.platform.alias;
  if (alias === undefined) {
    throw new CarpOvhError(`platform.kind ${deps.platform.kind} cannot add aliases: remove alias from the entry for ${entry.interface}`, {
      source: 'config',
      badInput: true,
    });
  }
  for (const address of entry.addresses) {
    if ((await alias.has(where, address)) === present) continue;
    if (present) await alias.add(where, address);
    else await alias.remove(where, address);
    deps.log.info({ iface: where, address }, present ? `Added ${address}/32 as an alias on ${where}` : `Removed the alias ${address} from ${where}`);
  }
}

function makeGuard(deps: ClaimDeps, target: ClaimTarget): (options?: { maxAgeMs?: number }) => Promise<void> {
  const { entry } = target;
  const key = deps.platform.entryKey(entry);
  let checkedAt = 0;
  // Many addresses poll at once: they share one in-flight check, and waits accept a recent one.
  let last: Promise<void> | null = null;
  const check = async (): Promise<void> => {
    const newer = await isSuperseded(deps.state, key, target.seq);
    if (newer !== null) throw new CarpOvhError(`${key}: superseded by a newer ${newer.type} event`, { source: 'claim', isCanceled: true });
    const now = (await deps.platform.readEntry(entry)).state;
    if (now !== 'MASTER') throw new CarpOvhError(`${key} is now ${now}: stopping before the next change at OVH`, { source: 'claim', isCanceled: true });
  };
  return async (options = {}) => {
    const maxAgeMs = options.maxAgeMs ?? 0;
    if (last !== null && Date.now() - checkedAt <= maxAgeMs) return last;
    checkedAt = Date.now();
    last = check();
    return last;
  };
}

function vhidResult(addresses: AddressOutcome[]): VhidResult {
  if (addresses.some((a) => a.result === 'failed')) return 'failed';
  if (addresses.some((a) => a.result === 'cancelled')) return 'cancelled';
  return 'ok';
}

function firstError(failed: VhidOutcome[]): Record<string, unknown> | undefined {
  for (const vhid of failed) {
    const error = vhid.error ?? vhid.addresses.find((a) => a.result === 'failed')?.error;
    if (error !== undefined) return error;
  }
  return failed.length > 0 ? { source: 'claim', message: 'claim failed' } : undefined;
}

function asError(error: unknown, signal?: AbortSignal): CarpOvhError {
  return deadlineAware(error, signal ?? new AbortController().signal);
}

function logSummary(log: LogPort, outcome: ClaimOutcome): void {
  const took = formatDuration(outcome.durationMs);
  const fields = { result: outcome.result, durationMs: outcome.durationMs, vhids: outcome.vhids.map((v) => `${v.key}:${v.result}`) };
  if (outcome.result === 'failed') log.error({ ...fields, err: outcome.error }, `claim failed after ${took}: ${String(outcome.error?.message ?? '')}`);
  else if (outcome.result === 'ok') log.info(fields, `claim finished successfully in ${took}`);
  else log.info(fields, `claim ended: ${outcome.result} (${took})`);
}
