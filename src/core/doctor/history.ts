import type { Config } from '../../config/types.ts';
import { describeError } from '../../errors.ts';
import { formatDuration } from '../../duration.ts';
import { Demotion, type Reason } from '../demotion.ts';
import type { LogPort, Platform, StateStore } from '../ports/index.ts';
import { LAST_CHECK_FILE } from '../health/check.ts';
import { LAST_CLAIM_FILE } from '../reconcile.ts';
import { ago, fail, pass, warn } from './checklist.ts';
import type { Check } from './types.ts';

/** What the other commands left in the state dir: the last claim, the demotion, the last check. */

/** cron runs check every minute: a check this old means the timer stopped. */
const STALE_CHECK_MS = 10 * 60 * 1000;

export interface LastClaim {
  at?: string;
  trigger?: string;
  result?: string;
  durationMs?: number;
  error?: { message?: unknown };
  vhids?: Array<{ vhid?: number; interface?: string; result?: string; error?: { message?: unknown } }>;
}

export interface LastCheck {
  at?: string;
  healthy?: boolean;
  durationMs?: number;
  probes?: Array<{ name?: string; ok?: boolean; skipped?: boolean; detail?: string; durationMs?: number }>;
}

export interface DemotionView {
  total: number;
  /** Our share (health.demotion); `bit` since on FreeBSD it is one bit of the sysctl. */
  bit: number;
  ours: boolean;
  /** The part of the total that is not carp-ovh's (ifdown 240, pfsync, OPNsense…). */
  others: number;
  reasons: Record<string, Reason>;
}

/** For reading state only: nothing here writes, so nothing is worth a line. */
export const SILENT_LOG: LogPort = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };

export async function readDemotion(config: Config, platform: Platform, state: StateStore): Promise<DemotionView> {
  const bit = config.health.demotion;
  const demotion = new Demotion(platform, state, bit, SILENT_LOG);
  const [reading, reasons] = await Promise.all([platform.readDemotion(), demotion.reasons()]);
  const { value: total, ours } = reading;
  return { total, bit, ours, others: total - (ours ? bit : 0), reasons };
}

export async function readLastClaim(state: StateStore): Promise<LastClaim | null> {
  return (await state.readJson<LastClaim>(LAST_CLAIM_FILE)).value;
}

export async function readLastCheck(state: StateStore): Promise<LastCheck | null> {
  return (await state.readJson<LastCheck>(LAST_CHECK_FILE)).value;
}

export function describeReasons(reasons: Record<string, Reason>): string {
  return Object.entries(reasons)
    .map(([name, reason]) => `${name} (${reason.detail})`)
    .join('; ');
}

export function describeClaim(claim: LastClaim, now: number): string {
  const at = claim.at === undefined ? 'at an unknown time' : `${claim.at} (${ago(Date.parse(claim.at), now)})`;
  const took = typeof claim.durationMs === 'number' ? ` in ${formatDuration(claim.durationMs)}` : '';
  const error = claim.error?.message === undefined ? '' : `: ${String(claim.error.message)}`;
  return `${claim.trigger ?? 'claim'} ${at}: ${claim.result ?? 'unknown'}${took}${error}`;
}

export function describeCheck(check: LastCheck, now: number): string {
  const at = check.at === undefined ? 'at an unknown time' : `${check.at} (${ago(Date.parse(check.at), now)})`;
  const probes = check.probes ?? [];
  const failing = probes.filter((p) => p.ok === false && p.skipped !== true).map((p) => `${p.name ?? '?'}${p.detail === undefined ? '' : ` (${p.detail})`}`);
  const verdict = check.healthy === true ? `healthy, ${probes.length} probes` : `unhealthy${failing.length > 0 ? `: ${failing.join('; ')}` : ''}`;
  return `${at}: ${verdict}`;
}

export async function historyChecks(config: Config, platform: Platform, state: StateStore, now: number): Promise<Check[]> {
  const [claim, demotion, check] = await Promise.all([claimCheck(state, now), demotionCheck(config, platform, state), lastCheckCheck(state, now)]);
  return [claim, demotion, check];
}

async function claimCheck(state: StateStore, now: number): Promise<Check> {
  const id = 'history.last-claim';
  const title = 'last claim';
  const claim = await readLastClaim(state);
  if (claim === null) return pass('history', id, title, 'none recorded yet');
  const text = describeClaim(claim, now);
  if (claim.result === 'failed')
    return warn('history', id, title, text, 'read the log (syslog tag carp-ovh) and, once fixed, run carp-ovh reconcile on the MASTER.');
  if (claim.result === 'busy')
    return warn('history', id, title, `${text} (another claim held the lock for the whole deadline)`, 'look for a stuck claim-worker process and the log.');
  return pass('history', id, title, text);
}

async function demotionCheck(config: Config, platform: Platform, state: StateStore): Promise<Check> {
  const id = 'history.demotion';
  const title = 'demotion';
  let view: DemotionView;
  try {
    view = await readDemotion(config, platform, state);
  } catch (error) {
    // The platform's error says what is missing (FreeBSD's names kldload carp); the platform checks above say more.
    return fail(
      'history',
      id,
      title,
      `cannot read ${platform.describeDemotion()}: ${describeError(error)}`,
      `fix what the error says, then check the platform settings (platform.kind ${platform.kind}).`,
    );
  }
  const names = Object.keys(view.reasons);
  const others = view.others > 0 ? `; ${view.others} from elsewhere (interface down, pfsync or another tool)` : '';
  if (view.ours && names.length > 0) {
    const inMaintenance = names.length === 1 && names[0] === 'maintenance';
    return warn(
      'history',
      id,
      title,
      `total ${view.total}; ours (${view.bit}) is set for ${describeReasons(view.reasons)}${others}`,
      inMaintenance ? 'run carp-ovh maintenance leave when the work is done.' : 'fix the reasons above; the next check clears our bit by itself.',
    );
  }
  if (view.ours)
    return warn(
      'history',
      id,
      title,
      `total ${view.total}; ours (${view.bit}) is set but no reason is recorded${others}`,
      'run carp-ovh check, which clears it.',
    );
  if (names.length > 0)
    return warn(
      'history',
      id,
      title,
      `total ${view.total}; reasons are recorded (${names.join(', ')}) but our bit is clear${others}`,
      'run carp-ovh check to bring the bit in line.',
    );
  if (view.others > 0)
    return warn('history', id, title, `total ${view.total}, none of it ours${others}`, 'look for a down interface (ifconfig) or pfsync trouble.');
  return pass('history', id, title, `total 0: not demoted (our bit is ${view.bit})`);
}

async function lastCheckCheck(state: StateStore, now: number): Promise<Check> {
  const id = 'history.last-check';
  const title = 'last check';
  const check = await readLastCheck(state);
  if (check === null)
    return warn(
      'history',
      id,
      title,
      'no check recorded: nothing demotes this router when Vault or OVH fail',
      'install the timer (carp-ovh install) or run carp-ovh check.',
    );
  const text = describeCheck(check, now);
  const at = check.at === undefined ? Number.NaN : Date.parse(check.at);
  if (Number.isFinite(at) && now - at > STALE_CHECK_MS)
    return warn('history', id, title, `${text}; no check since: the timer seems stopped`, 'check the cron file or the rc.d service (service carp_ovh status).');
  if (check.healthy !== true) return warn('history', id, title, text, 'fix the failing probes; carp-ovh check --json shows each one.');
  return pass('history', id, title, text);
}
