import { describeError } from '../../errors.ts';
import { environmentChecks } from './environment.ts';
import { fail, pass, skip, tally } from './checklist.ts';
import { historyChecks } from './history.ts';
import { observeChecks } from './observe.ts';
import type { FailoverEntry } from '../../config/types.ts';
import { ourMac } from '../our-mac.ts';
import type { FailoverProvider, OvhProbe, Platform, ProviderDoctorEntry } from '../ports/index.ts';
import { ovhChecks, skippedOvh, type OvhFindings } from './ovh.ts';
import { secretFileChecks, vaultChecks } from './secrets.ts';
import type { Check, DoctorDeps, DoctorReport } from './types.ts';

/** Bound on the whole OVH part: each request has its own timeout (ovh.timeout) inside it. */
const OVH_BUDGET_FLOOR_MS = 15_000;

/**
 * Runs every check. The local ones (platform, install files, secrets, Vault) run
 * side by side; the OVH ones need the credentials Vault gives; each entry's
 * provider then checks its own reads and placement against what the platform
 * shows for the entry.
 */
export async function runDoctor(deps: DoctorDeps): Promise<DoctorReport> {
  const { config } = deps;
  const configCheck = pass(
    'config',
    'config',
    'configuration',
    `${config.source} is valid (${config.failover.map((e) => `${deps.platform.entryKey(e)}: ${e.addresses.join(', ')}`).join('; ')})`,
  );
  const [platform, entries, observe, secretFiles, vault] = await Promise.all([
    deps.platform.doctorChecks({
      config,
      files: deps.files,
      root: deps.root,
      install: { layout: deps.layout, opnsense: deps.opnsense },
      cliPath: deps.cliPath,
    }),
    readEntries(deps.platform, config.failover),
    observeChecks(config, deps.files),
    deps.secretFiles().then(secretFileChecks),
    deps.inspectVault === null ? null : deps.inspectVault().then(vaultChecks),
  ]);

  const { ovh, providers } = await ovhPart(deps, entries, vault === null ? null : vault.ok);
  const history = await historyChecks(config, deps.platform, deps.state, deps.now());

  const checks: Check[] = [
    configCheck,
    ...environmentChecks(config, deps.env),
    ...platform,
    ...observe,
    ...secretFiles,
    ...(vault?.checks ?? []),
    ...ovh.checks,
    ...providers.filter((check) => check.group !== 'placement'),
    ...providers.filter((check) => check.group === 'placement'),
    ...history,
  ];
  return report(config.source, deps.root, checks, deps.now());
}

/** Every entry as the platform shows it, read side by side; a read that fails leaves state and MAC unknown. */
async function readEntries(platform: Platform, entries: readonly FailoverEntry[]): Promise<ProviderDoctorEntry[]> {
  return Promise.all(
    entries.map(async (entry): Promise<ProviderDoctorEntry> => {
      const key = platform.entryKey(entry);
      try {
        const view = await platform.readEntry(entry);
        return { entry, key, state: view.state, mac: ourMac(entry, view) };
      } catch {
        return { entry, key, state: null, mac: entry.mac };
      }
    }),
  );
}

/** Entries that share a provider (one per server for virtual-mac) are checked together. */
function byProvider(
  entries: readonly ProviderDoctorEntry[],
  providerOf: (entry: FailoverEntry) => FailoverProvider,
): Map<FailoverProvider, ProviderDoctorEntry[]> {
  const groups = new Map<FailoverProvider, ProviderDoctorEntry[]>();
  for (const item of entries) {
    const provider = providerOf(item.entry);
    groups.set(provider, [...(groups.get(provider) ?? []), item]);
  }
  return groups;
}

async function ovhPart(deps: DoctorDeps, entries: ProviderDoctorEntry[], vaultOk: boolean | null): Promise<{ ovh: OvhFindings; providers: Check[] }> {
  const budget = AbortSignal.timeout(Math.max(OVH_BUDGET_FLOOR_MS, deps.config.ovh.timeoutMs * 4));
  const allAddresses = new Set(deps.config.failover.flatMap((entry) => entry.addresses));
  const providerChecks = async (groups: Map<FailoverProvider, ProviderDoctorEntry[]>, unavailable: string | null): Promise<Check[]> => {
    const found = await Promise.all(
      [...groups].map(async ([provider, group]) => {
        const addresses = group.flatMap(({ entry }) => entry.addresses);
        try {
          return await provider.doctorChecks(addresses, budget, { entries: group, allAddresses, unavailable });
        } catch (error) {
          // The port says never throw; a provider that does still gets one line, not a crashed doctor.
          return [
            fail(
              'ovh',
              `ovh.provider:${group[0]?.entry.via ?? '?'}`,
              'OVH provider checks',
              describeError(error),
              "report this: a provider's doctor checks failed unexpectedly.",
            ),
          ];
        }
      }),
    );
    // Without an OVH session nothing a provider says is a finding: it is not run.
    return found.flat().map((check) => (unavailable === null || check.status === 'skip' ? check : skip(check.group, check.id, check.title, unavailable)));
  };
  const skipped = async (why: string, done: Check[] = []): Promise<{ ovh: OvhFindings; providers: Check[] }> => ({
    ovh: skippedOvh(why, 'ovh.clock', done),
    providers: await providerChecks(byProvider(entries, await deps.offlineProviders()), why),
  });
  if (vaultOk === false) return skipped('no OVH credentials (see the Vault checks)');

  let credentials;
  try {
    credentials = await deps.readCredentials(budget);
  } catch (error) {
    return skipped('no OVH credentials', [
      fail('ovh', 'ovh.keys', 'OVH keys', `cannot read the OVH keys: ${describeError(error)}`, 'fix ovh.credentials (see docs/configuration.md).'),
    ]);
  }
  let probe: OvhProbe;
  try {
    probe = await deps.ovh(credentials);
  } catch (error) {
    return skipped('the OVH client could not start', [
      fail('ovh', 'ovh.client', 'OVH client', describeError(error), 'fix ovh.endpoint, ovh.url or ovh.ca in the config.'),
    ]);
  }
  try {
    const groups = byProvider(entries, (entry) => probe.providerOf(entry));
    const needed = [...groups].flatMap(([provider, group]) =>
      (provider.neededCalls?.(group) ?? []).map((call) => ({ ...call, via: call.via ?? group[0]?.entry.via })),
    );
    const ovh = await ovhChecks(probe, needed, budget, deps.now());
    return { ovh, providers: await providerChecks(groups, ovh.unavailable) };
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
