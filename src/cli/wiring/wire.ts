import { hostname } from 'node:os';
import type { Config, FailoverEntry, VaultCredentialsConfig } from '../../config/types.ts';
import type { MetricsRecorder } from '../../core/metrics/recorder.ts';
import type { Notifier } from '../../core/notify/events.ts';
import type { ClaimDeps } from '../../core/reconcile.ts';
import type { Carp, FailoverProvider, LogPort, OvhCredentials, SecretSource } from '../../core/ports.ts';
import { stateTaskJournal } from '../../core/task-journal.ts';
import type { OvhApi } from '../../providers/ovh/api.ts';
import { registerSecret } from '../../redact.ts';
import { StateDir } from '../../state.ts';

/**
 * The composition root: the only place that knows which adapter serves which
 * port. Adapters are imported when first needed, so a command pays only for what
 * it uses (the hook's fast path imports none of this).
 */

export async function platformFor(config: Config): Promise<Carp> {
  const { createFreeBsdCarp } = await import('../../platform/freebsd/index.ts');
  return createFreeBsdCarp({ ifconfig: config.platform.ifconfig, sysctl: config.platform.sysctl, timeoutMs: config.platform.timeoutMs });
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
function registering(source: SecretSource): SecretSource {
  return {
    description: source.description,
    readOvhCredentials: async (options) => {
      const credentials = await source.readOvhCredentials(options);
      registerSecret(credentials.applicationSecret);
      registerSecret(credentials.consumerKey);
      return credentials;
    },
  };
}

export async function ovhApiFor(config: Config, credentials: OvhCredentials) {
  const [{ createOvhClient }, { OvhApi }, { RateLimiter }] = await Promise.all([
    import('../../providers/ovh/client.ts'),
    import('../../providers/ovh/api.ts'),
    import('../../providers/ovh/rate-limit.ts'),
  ]);
  const limiter = new RateLimiter(config.ovh.maxRpm);
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
  const carp = await platformFor(config);
  return {
    config,
    carp,
    state,
    log,
    metrics: await metricsFor(config, carp, log),
    notify: await notifierFor(config, log),
    secrets: () => secretSourceFor(config),
    providers: async (credentials) => {
      const { api } = await ovhApiFor(config, credentials);
      const forServer = await virtualMacProviders(config, api, state);
      return (entry: FailoverEntry) => forServer(entry.server);
    },
  };
}

/** One virtual-MAC provider per OVH server, sharing the API (and so its rate limit) and the task journal. */
export async function virtualMacProviders(config: Config, api: OvhApi, state: StateDir): Promise<(server: string) => FailoverProvider> {
  const { VirtualMacProvider } = await import('../../providers/ovh/virtual-mac.ts');
  const journal = stateTaskJournal(state);
  const byServer = new Map<string, FailoverProvider>();
  return (server) => {
    let provider = byServer.get(server);
    if (provider === undefined) {
      provider = new VirtualMacProvider({ server, api, pollIntervalMs: config.ovh.pollIntervalMs, retries: config.ovh.retries, journal, hostname: hostname() });
      byServer.set(server, provider);
    }
    return provider;
  };
}

const recorders = new WeakMap<Config, MetricsRecorder>();

/** The recorder this process made for `config`, if metrics are on and one was made. */
function recorderOf(config: Config): MetricsRecorder | undefined {
  return recorders.get(config);
}

/**
 * One metrics recorder per process and config when metrics.textfile or
 * metrics.listen is set (the claim worker counts for the listener too); none otherwise.
 */
export async function metricsFor(config: Config, carp: Carp, log: LogPort): Promise<MetricsRecorder | undefined> {
  if (config.metrics.textfile === null && config.metrics.listen === null) return undefined;
  const existing = recorders.get(config);
  if (existing !== undefined) return existing;
  const [{ MetricsRecorder }, { entryLabelsOf, observePlatform }, { replaceFile }] = await Promise.all([
    import('../../core/metrics/recorder.ts'),
    import('../../core/metrics/observe-platform.ts'),
    import('../../textfile.ts'),
  ]);
  const state = new StateDir(config.stateDir);
  const recorder = recorders.get(config) ?? new MetricsRecorder({
    state,
    log,
    entries: entryLabelsOf(config),
    textfile: config.metrics.textfile,
    writeTextfile: (path, text) => replaceFile(path, text),
    observePlatform: () => observePlatform(config, carp, state),
  });
  recorders.set(config, recorder);
  return recorder;
}

/** Notify scripts run from a detached `notify-run` per event, when notify.scripts is set. */
export async function notifierFor(config: Config, log: LogPort): Promise<Notifier | undefined> {
  if (config.notify.scripts === null) return undefined;
  const { launchingNotifier, CLI_ENTRY } = await import('../../notify/launch.ts');
  const { commandRunner } = await import('../../command.ts');
  const commands = await commandRunner();
  return launchingNotifier({ execPath: process.execPath, cliPath: CLI_ENTRY, configPath: config.source, log, maxInFlight: config.notify.maxRunning, commands });
}
