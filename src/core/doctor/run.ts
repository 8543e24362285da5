import { describeError } from '../../errors.ts';
import { environmentChecks } from './environment.ts';
import { fail, pass, tally } from './checklist.ts';
import { historyChecks } from './history.ts';
import { installChecks } from './install.ts';
import { observeChecks } from './observe.ts';
import { ovhChecks, skippedOvh, type OvhFindings } from './ovh.ts';
import { placementChecks, readEntries } from './placement.ts';
import { secretFileChecks, vaultChecks } from './secrets.ts';
import type { Check, DoctorDeps, DoctorReport } from './types.ts';

/** Bound on the whole OVH part: each request has its own timeout (ovh.timeout) inside it. */
const OVH_BUDGET_FLOOR_MS = 15_000;

/**
 * Runs every check. The local ones (platform, install files, secrets, Vault) run
 * side by side; the OVH ones need the credentials Vault gives; placement needs
 * both the platform's view of each entry and the vMACs.
 */
export async function runDoctor(deps: DoctorDeps): Promise<DoctorReport> {
  const { config } = deps;
  const configCheck = pass(
    'config',
    'config',
    'configuration',
    `${config.source} is valid (${config.failover.map((e) => `${deps.platform.entryKey(e)}: ${e.addresses.join(', ')}`).join('; ')})`,
  );
  const [platform, entries, install, observe, secretFiles, vault] = await Promise.all([
    deps.platform.doctorChecks({ config, files: deps.files }),
    readEntries(deps.platform, config.failover),
    deps.layout === null ? [] : installChecks({ config, root: deps.root, opnsense: deps.opnsense, layout: deps.layout, files: deps.files }),
    observeChecks(config, deps.files),
    deps.secretFiles().then(secretFileChecks),
    deps.inspectVault === null ? null : deps.inspectVault().then(vaultChecks),
  ]);

  const ovh = await ovhPart(deps, vault === null ? null : vault.ok);
  const placement = placementChecks(config, entries, ovh.servers, ovh.unavailable);
  const history = await historyChecks(config, deps.platform, deps.state, deps.now());

  const checks: Check[] = [
    configCheck,
    ...environmentChecks(config, deps.env),
    ...platform,
    ...install,
    ...observe,
    ...secretFiles,
    ...(vault?.checks ?? []),
    ...ovh.checks,
    ...placement,
    ...history,
  ];
  return report(config.source, deps.root, checks, deps.now());
}

async function ovhPart(deps: DoctorDeps, vaultOk: boolean | null): Promise<OvhFindings> {
  const skipped = (why: string, done: Check[] = []): OvhFindings => skippedOvh(deps.config, why, 'ovh.clock', done);
  if (vaultOk === false) return skipped('no OVH credentials (see the Vault checks)');

  const budget = AbortSignal.timeout(Math.max(OVH_BUDGET_FLOOR_MS, deps.config.ovh.timeoutMs * 4));
  let credentials;
  try {
    credentials = await deps.readCredentials(budget);
  } catch (error) {
    return skipped('no OVH credentials', [
      fail('ovh', 'ovh.keys', 'OVH keys', `cannot read the OVH keys: ${describeError(error)}`, 'fix ovh.credentials (see docs/configuration.md).'),
    ]);
  }
  let probe;
  try {
    probe = await deps.ovh(credentials);
  } catch (error) {
    return skipped('the OVH client could not start', [
      fail('ovh', 'ovh.client', 'OVH client', describeError(error), 'fix ovh.endpoint, ovh.url or ovh.ca in the config.'),
    ]);
  }
  try {
    return await ovhChecks(deps.config, probe, budget, deps.now());
  } finally {
    probe.close();
  }
}

export function report(configPath: string, root: string, checks: Check[], now: number): DoctorReport {
  const summary = tally(checks);
  return { version: 1, at: new Date(now).toISOString(), config: configPath, root, ok: summary.fail === 0, summary, checks };
}

/** When the config does not load, that is the whole report (plus what needs no config). */
export function configFailureReport(
  configPath: string,
  root: string,
  problems: string[],
  env: Readonly<Record<string, string | undefined>>,
  now: number,
): DoctorReport {
  const checks: Check[] = [
    fail('config', 'config', 'configuration', problems.join('; '), `fix ${configPath} (carp-ovh config check lists every problem with its line).`),
    ...environmentChecks(null, env),
  ];
  return report(configPath, root, checks, now);
}
