import { hostname } from 'node:os';
import type { Config, FailoverEntry, VaultCredentialsConfig } from '../../config/types.ts';
import type { MetricsRecorder } from '../../core/metrics/recorder.ts';
import type { Notifier } from '../../core/notify/events.ts';
import type { ClaimDeps } from '../../core/reconcile.ts';
import type { FailoverProvider, LogPort, OvhCredentials, Platform, SecretSource } from '../../core/ports/index.ts';
import { stateTaskJournal } from '../../core/task-journal.ts';
import { CarpOvhError } from '../../errors.ts';
import type { OvhApi } from '../../providers/ovh/api.ts';
import type { OvhProviderContext } from '../../providers/ovh/provider-module.ts';
import { registerSecret } from '../../redact.ts';
import { StateDir } from '../../state.ts';
import { platformEntry, providerModule } from './adapters.ts';

/**
 * The composition root: the only place that knows which adapter serves which
 * port. Adapters are imported when first needed, so a command pays only for what
 * it uses (the hook's fast path imports none of this).
 */

export async function platformFor(config: Config): Promise<Platform> {
  const entry = platformEntry(config.platform.kind);
  // The config rules refuse a kind this build lacks; this is for a config loaded without them.
  if (entry === undefined)
    throw new CarpOvhError(`platform.kind: ${config.platform.kind} is not available in this build`, { source: 'config', badInput: true });
  return (await entry.adapter()).createPlatform(config);
}

export async function secretSourceFor(config: Config): Promise<SecretSource> {
  const credentials = config.ovh.credentials;
  if (credentials.kind === 'file') {
    const { createFileSource } = await import('../../secrets/file.ts');
    return registering(createFileSource(credentials.file));
  }
  const { createVaultSource } = await import('../../secrets/vault.ts');
  return registering(createVaultSource({ ...vaultOptionsOf(credentials), onLogin: (ttl) => recorderOf(config)?.vaultLogin(ttl) }));
}

/** The Vault source's options from the config (also what doctor's inspection takes). */
export function vaultOptionsOf(credentials: VaultCredentialsConfig, env: NodeJS.ProcessEnv = process.env) {
  return {
    config: credentials.config,
    mount: credentials.mount,
    path: credentials.path,
    kvVersion: credentials.kvVersion,
    timeoutMs: credentials.timeoutMs,
    allowEnvSkipVerify: credentials.allowEnvSkipVerify,
    env,
  };
}

/** Every secret read is registered with the log scrubber before anyone can log it. */
export function registering(source: SecretSource): SecretSource {
  return {
    description: source.description,
    readOvhCredentials: async (options?: { signal?: AbortSignal }) => {
      const credentials = await source.readOvhCredentials(options);
      registerSecret(credentials.applicationSecret);
      registerSecret(credentials.consumerKey);
      return credentials;
    },
  };
}

export async function ovhApiFor(config: Config, credentials: OvhCredentials) {
  const [{ createOvhClient }, { OvhApi }, { RateLimiter }, { stateDirWindow }] = await Promise.all([
    import('../../providers/ovh/client.ts'),
    import('../../providers/ovh/api.ts'),
    import('../../providers/ovh/rate-limit.ts'),
    import('../../providers/ovh/send-window-file.ts'),
  ]);
  // One window per router, in the state dir: the claim worker and the health loop draw from the same budget.
  const limiter = new RateLimiter(config.ovh.maxRpm, undefined, stateDirWindow(new StateDir(config.stateDir)));
  const client = createOvhClient({
    endpoint: config.ovh.endpoint ?? undefined,
    url: config.ovh.url ?? undefined,
    ca: config.ovh.ca ?? undefined,
    timeoutMs: config.ovh.timeoutMs,
    credentials,
    beforeSend: (signal) => limiter.take(signal),
    onAnswer: (method, status) => recorderOf(config)?.countOvhAnswer(method, status),
  });
  const api = new OvhApi(client, { retries: config.ovh.retries, retryDelayMs: config.ovh.pollIntervalMs });
  return { client, api };
}

export async function claimDeps(config: Config, log: LogPort): Promise<ClaimDeps> {
  const state = new StateDir(config.stateDir);
  const platform = await platformFor(config);
  return {
    config,
    platform,
    state,
    log,
    metrics: await metricsFor(config, platform, log),
    notify: await notifierFor(config, log),
    secrets: () => secretSourceFor(config),
    providers: async (credentials) => {
      const { api } = await ovhApiFor(config, credentials);
      return providersFor(config, api, state);
    },
  };
}

/**
 * The provider of each entry, by its `via` (src/cli/wiring/adapters.ts). One context per
 * session: the providers share the API (and so its rate limit) and the task
 * journal, and a provider module may share one provider per server.
 */
export async function providersFor(config: Config, api: OvhApi, state: StateDir): Promise<(entry: FailoverEntry) => FailoverProvider> {
  const ctx: OvhProviderContext = { config, api, journal: stateTaskJournal(state), hostname: hostname() };
  const vias = [...new Set(config.failover.map((entry) => entry.via))];
  const modules = new Map(
    await Promise.all(
      vias.map(async (via) => {
        const load = providerModule(via);
        if (load === undefined) throw new CarpOvhError(`failover[].via: ${via} is not available in this build`, { source: 'config', badInput: true });
        return [via, await load()] as const;
      }),
    ),
  );
  return (entry) => {
    const module = modules.get(entry.via);
    if (module === undefined) throw new CarpOvhError(`failover[].via: ${entry.via} is not available in this build`, { source: 'config', badInput: true });
    return module.createProvider(entry, ctx);
  };
}

const recorders = new WeakMap<Config, MetricsRecorder>();

/** The recorder this process made for `config`, if metrics are on and one was made. */
export function recorderOf(config: Config): MetricsRecorder | undefined {
  return recorders.get(config);
}

/**
 * One metrics recorder per process and config when metrics.textfile or
 * metrics.listen is set (the claim worker counts for the listener too); none otherwise.
 */
export async function metricsFor(config: Config, platform: Platform, log: LogPort): Promise<MetricsRecorder | undefined> {
  if (config.metrics.textfile === null && config.metrics.listen === null) return undefined;
  const existing = recorders.get(config);
  if (existing !== undefined) return existing;
  const [{ MetricsRecorder }, { entryLabelsOf, observePlatform }, { replaceFile }] = await Promise.all([
    import('../../core/metrics/recorder.ts'),
    import('../../core/metrics/observe-platform.ts'),
    import('../../textfile.ts'),
  ]);
  const state = new StateDir(config.stateDir);
  const recorder =
    recorders.get(config) ??
    new MetricsRecorder({
      state,
      log,
      entries: entryLabelsOf(config),
      textfile: config.metrics.textfile,
      writeTextfile: (path, text) => replaceFile(path, text),
      observePlatform: () => observePlatform(config, platform, state),
    });
  recorders.set(config, recorder);
  return recorder;
}

/** Notify scripts run from a detached `notify-run` per event, when notify.scripts is set. */
export async function notifierFor(config: Config, log: LogPort): Promise<Notifier | undefined> {
  if (config.notify.scripts === null) return undefined;
  const { launchingNotifier } = await import('../../notify/launch.ts');
  const { commandRunner } = await import('../../command.ts');
  const commands = commandRunner();
  // This is the composition root of a CLI process: the script node runs is the CLI entry (dist/cli.js).
  const cliPath = process.argv[1] ?? '';
  return launchingNotifier({ execPath: process.execPath, cliPath, configPath: config.source, log, maxInFlight: config.notify.maxRunning, commands });
}
