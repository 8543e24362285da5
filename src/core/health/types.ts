import type { Config } from '../../config/types.ts';
import type { LogPort, OvhCredentials, OvhProbeSession, Platform, ScriptOutcome, ScriptRunner, SecretSource, StateStore } from '../ports/index.ts';
import type { MetricsRecorder } from '../metrics/recorder.ts';
import type { Notifier } from '../notify/events.ts';
import type { ClaimDeps } from '../reconcile.ts';
import type { LoopMemory } from './loop-memory.ts';

/** The probes built into carp-ovh; scripts from health.scripts add their own names. */
export type BuiltinProbe = 'vault' | 'ovh-api' | 'claim';
export const BUILTIN_PROBES: readonly BuiltinProbe[] = ['vault', 'ovh-api', 'claim'];

/** One probe's answer, as `check --json`, `last-check.json` and `probe` show it. */
export interface ProbeResult {
  name: string;
  /** false also when the probe did not run (then `skipped` is set): it proved nothing. */
  ok: boolean;
  /** "not run": it needed something another probe failed to provide; that one carries the demotion. */
  skipped?: boolean;
  detail: string;
  durationMs: number;
}

/** What the check needs to know beyond the public result. */
export interface ProbeVerdict extends ProbeResult {
  /** The failure is the `claim` reason, which its owner (the claim, claim_hold) sets and clears. */
  reasonHeldElsewhere?: boolean;
  /** The claim probe found the `claim` reason may go: claim_hold passed with vault and ovh-api healthy. */
  clearClaim?: { since: string; detail: string };
  /** Not measured this run (its interval has not passed): the streaks and reasons stay as they are. */
  reused?: true;
}

export type { OvhProbeSession, ScriptOutcome, ScriptRunner };

export interface HealthDeps {
  config: Config;
  platform: Platform;
  state: StateStore;
  log: LogPort;
  secrets: () => Promise<SecretSource>;
  ovh: (credentials: OvhCredentials) => Promise<OvhProbeSession>;
  /** For the claim probe's repair: the same claim the hook runs. */
  claim: () => Promise<ClaimDeps>;
  runScript: ScriptRunner;
  /** What is wrong with the mode of a file holding secrets (readable by others…), or null. */
  fileModeProblem: (path: string) => Promise<string | null>;
  /** Set when metrics are on (metrics.textfile or metrics.listen). */
  metrics?: Pick<MetricsRecorder, 'checkFinished' | 'checkFailed'>;
  /** Set when notify.scripts is: told of demotions, promotions and maintenance. */
  notify?: Notifier;
  /** Set by `check --every`: what earlier runs of the loop saw, so OVH is read at its own cadence. */
  loop?: LoopMemory;
}
