/**
 * One line of `doctor`. Adapters return these from their `doctorChecks`, so the
 * shape is part of the ports (docs/doctor.schema.json is its public form).
 * `skip` is a check that could not run because an earlier one failed (no
 * credentials when Vault is down): the failing check carries the fix.
 */
export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

export type CheckGroup = 'config' | 'environment' | 'platform' | 'install' | 'secrets' | 'vault' | 'ovh' | 'placement' | 'history';

export interface Check {
  /** Stable identifier, e.g. `sysctl.preempt`, `vault.login`, `placement.vip:51.68.252.230`. */
  id: string;
  group: CheckGroup;
  status: CheckStatus;
  /** A few words: what was checked. */
  title: string;
  /** What was found. Never a secret. */
  detail: string;
  /** One sentence: what to do. Present on warn and fail. */
  fix?: string;
}
