import type { Config, VaultCredentialsConfig } from '../../config/types.ts';
import type { FailoverEntry } from '../../config/types.ts';
import type { HealthDeps } from '../../core/health/types.ts';
import type {
  FailoverProvider,
  LocateTarget,
  LogPort,
  OvhCredentials,
  OvhProbeSession,
  Placement,
  ScriptOutcome,
  ScriptRunner,
} from '../../core/ports/index.ts';
import { CommandError, type CommandRunner, commandRunner } from '../../command.ts';
import { logTarget, openLog, type OpenLog } from '../../log/index.ts';
import { StateDir } from '../../state.ts';
import { loadConfigOf, type CliContext } from './context.ts';
import { claimDeps, metricsFor, notifierFor, ovhApiFor, platformFor, providersFor, recorderOf, registering, secretSourceFor, vaultOptionsOf } from './wire.ts';

/** The adapters behind `check`, `probe` and `maintenance` (see wire.ts for the claim's). */
export async function healthDeps(config: Config, log: LogPort): Promise<HealthDeps> {
  const platform = await platformFor(config);
  return {
    config,
    platform,
    metrics: await metricsFor(config, platform, log),
    notify: await notifierFor(config, log),
    state: new StateDir(config.stateDir),
    log,
    secrets: () => secretSourceFor(config),
    ovh: (credentials) => ovhProbeSession(config, credentials),
    claim: () => claimDeps(config, log),
    runScript: scriptRunner(),
    fileModeProblem: async (path) => (await import('../../secrets/file-mode.ts')).fileModeProblem(path),
  };
}

/**
 * `check --every`: the same adapters, kept for the loop's life. One Vault token
 * (looked up once a run, revoked at the end), one OVH client with its agent and
 * clock offset, and the memory that lets the OVH probes run at their own cadence.
 */
async function loopHealthDeps(config: Config, log: LogPort, everyMs: number): Promise<{ deps: HealthDeps; close: () => Promise<void> }> {
  const { LoopMemory } = await import('../../core/health/loop-memory.ts');
  const base = await healthDeps(config, log);
  const secrets = config.ovh.credentials.kind === 'vault' ? await leasedVaultSource(config, config.ovh.credentials, log) : null;
  let session: { key: string; session: OvhProbeSession } | null = null;
  const deps: HealthDeps = {
    ...base,
    loop: new LoopMemory(everyMs),
    ...(secrets === null ? {} : { secrets: async () => secrets }),
    ovh: async (credentials) => {
      // Rotated credentials (a new secret in Vault) get a new client; the same ones keep theirs.
      const key = `${credentials.applicationKey}\0${credentials.consumerKey}`;
      if (session?.key !== key) {
        session?.session.close();
        session = { key, session: await ovhProbeSession(config, credentials) };
      }
      // Each run closes what it is given; the loop closes the kept session itself, at its end.
      return { ...session.session, close: () => undefined };
    },
  };
  return {
    deps,
    close: async () => {
      session?.session.close();
      await secrets?.close();
    },
  };
}

async function leasedVaultSource(config: Config, credentials: VaultCredentialsConfig, log: LogPort) {
  const { createLeasedVaultSource } = await import('../../secrets/vault-lease.ts');
  const source = createLeasedVaultSource({
    ...vaultOptionsOf(credentials),
    refreshMs: config.health.secretRefreshMs,
    onWarning: (message) => log.warn(message),
    onLogin: (ttl) => recorderOf(config)?.vaultLogin(ttl),
  });
  const registered = registering(source);
  return { ...registered, close: () => source.close() };
}

/** One OVH client per run: its /auth/time measure and keep-alive connection serve every read. */
export async function ovhProbeSession(config: Config, credentials: OvhCredentials): Promise<OvhProbeSession> {
  const { client, api } = await ovhApiFor(config, credentials);
  const providerOf = await providersFor(config, api, new StateDir(config.stateDir));
  return {
    clockOffset: (signal) => client.clockOffset({ signal }),
    locate: (targets, signal) => locateThrough(providerOf, targets, signal),
    reads: (entries) => [...new Set(entries.map((entry) => providerOf(entry).reads ?? `where OVH routes the VIPs of via ${entry.via}`))],
    close: () => client.close(),
  };
}

/** Entries that share a provider (one server) and a MAC are located together: one read of the server's vMACs for all. */
async function locateThrough(
  providerOf: (entry: FailoverEntry) => FailoverProvider,
  targets: readonly LocateTarget[],
  signal: AbortSignal,
): Promise<Placement[]> {
  const groups = new Map<FailoverProvider, Map<string | null, string[]>>();
  for (const { entry, mac } of targets) {
    const provider = providerOf(entry);
    const byMac = groups.get(provider) ?? new Map<string | null, string[]>();
    const list = byMac.get(mac) ?? [];
    list.push(...entry.addresses.filter((address) => !list.includes(address)));
    byMac.set(mac, list);
    groups.set(provider, byMac);
  }
  const asks = [...groups].flatMap(([provider, byMac]) => [...byMac].map(([mac, addresses]) => provider.locate(addresses, { signal, mac })));
  return (await Promise.all(asks)).flat();
}

/**
 * The service scripts' runner: argv without a shell, in their own process
 * group, killed with it on timeout or past 1 MiB of output. Each script
 * spawns on the call, synchronously: the scripts are all running before the
 * built-in probes start.
 */
export function scriptRunner(): ScriptRunner {
  const runner = commandRunner();
  return (path, timeoutMs) => runScript(runner, path, timeoutMs);
}

async function runScript(runner: CommandRunner, path: string, timeoutMs: number): Promise<ScriptOutcome> {
  try {
    const done = await runner.run(path, [], { timeoutMs });
    return { kind: 'exit', code: done.exitCode, signal: done.signal, output: `${done.stdout}\n${done.stderr}` };
  } catch (error) {
    if (!(error instanceof CommandError)) throw error;
    if (error.timedOut) return { kind: 'timeout' };
    if (error.outputTooLarge) return { kind: 'too-much-output' };
    return { kind: 'error', code: error.code, message: error.message };
  }
}

/** Foreground commands log where an operator sees them: syslog when configured, else JSON lines on stderr. */
function openForegroundLog(config: Config, component: string): Promise<OpenLog> {
  return openLog(config.log, logTarget(config.log, 'foreground'), { component });
}

/** The log, then the deps that log into it; the log is closed again if the deps cannot be built. */
async function openDeps(
  config: Config,
  component: string,
  loopEveryMs: number | null = null,
): Promise<{ opened: OpenLog; deps: HealthDeps; close: () => Promise<void> }> {
  const opened = await openForegroundLog(config, component);
  try {
    if (loopEveryMs === null) return { opened, deps: await healthDeps(config, opened.log), close: async () => undefined };
    return { opened, ...(await loopHealthDeps(config, opened.log, loopEveryMs)) };
  } catch (error) {
    await opened.close();
    throw error;
  }
}

/** Config, log and deps for a foreground health command. */
export async function openHealthCommand(ctx: CliContext, component: string): Promise<{ config: Config; opened: OpenLog; deps: HealthDeps }> {
  const config = await loadConfigOf(ctx);
  return { config, ...(await openDeps(config, component)) };
}

/** The same, opened on first use (and once): `check` starts its scripts first. `loopEveryMs` (the loop's period) keeps clients and the Vault token across runs. */
export function lazyHealthDeps(
  config: Config,
  component: string,
  options: { loopEveryMs?: number | null } = {},
): { get: () => Promise<HealthDeps>; close: () => Promise<void> } {
  let opening: Promise<{ opened: OpenLog; deps: HealthDeps; close: () => Promise<void> }> | null = null;
  return {
    get: async () => {
      opening ??= openDeps(config, component, options.loopEveryMs ?? null);
      return (await opening).deps;
    },
    close: async () => {
      const done = await opening?.catch(() => null);
      try {
        await done?.close();
      } finally {
        await done?.opened.close();
      }
    },
  };
}
