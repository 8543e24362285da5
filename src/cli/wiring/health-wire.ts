import type { Config } from '../../config/types.ts';
import type { FailoverEntry } from '../../config/types.ts';
import type { HealthDeps } from '../../core/health/types.ts';
import type { FailoverProvider, LogPort, OvhCredentials, OvhProbeSession, Placement, ScriptOutcome, ScriptRunner } from '../../core/ports/index.ts';
import { CommandError, type CommandRunner, commandRunner } from '../../command.ts';
import { logTarget, openLog, type OpenLog } from '../../log/index.ts';
import { StateDir } from '../../state.ts';
import { loadConfigOf, type CliContext } from './context.ts';
import { claimDeps, metricsFor, notifierFor, ovhApiFor, platformFor, providersFor, secretSourceFor } from './wire.ts';

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
    runScript: await scriptRunner(),
    fileModeProblem: async (path) => (await import('../../secrets/file-mode.ts')).fileModeProblem(path),
  };
}

/** One OVH client per run: its /auth/time measure and keep-alive connection serve every read. */
export async function ovhProbeSession(config: Config, credentials: OvhCredentials): Promise<OvhProbeSession> {
  const { client, api } = await ovhApiFor(config, credentials);
  const providerOf = await providersFor(config, api, new StateDir(config.stateDir));
  return {
    clockOffset: (signal) => client.clockOffset({ signal }),
    locate: (entries, signal) => locateThrough(providerOf, entries, signal),
    close: () => client.close(),
  };
}

/** Entries that share a provider (one server) are located together: one read of its vMACs for all. */
async function locateThrough(
  providerOf: (entry: FailoverEntry) => FailoverProvider,
  entries: readonly FailoverEntry[],
  signal: AbortSignal,
): Promise<Placement[]> {
  const groups = new Map<FailoverProvider, string[]>();
  for (const entry of entries) {
    const provider = providerOf(entry);
    const list = groups.get(provider) ?? [];
    list.push(...entry.addresses.filter((address) => !list.includes(address)));
    groups.set(provider, list);
  }
  const found = await Promise.all([...groups].map(([provider, addresses]) => provider.locate(addresses, { signal })));
  return found.flat();
}

/**
 * The service scripts' runner: argv without a shell, in their own process
 * group, killed with it on timeout or past 1 MiB of output. execa is loaded
 * here, once, so that each script spawns on the call, synchronously: the
 * scripts are all running before the built-in probes start.
 */
export async function scriptRunner(): Promise<ScriptRunner> {
  const runner = await commandRunner();
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
async function openDeps(config: Config, component: string): Promise<{ opened: OpenLog; deps: HealthDeps }> {
  const opened = await openForegroundLog(config, component);
  try {
    return { opened, deps: await healthDeps(config, opened.log) };
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

/** The same, opened on first use (and once): `check` starts its scripts first. */
export function lazyHealthDeps(config: Config, component: string): { get: () => Promise<HealthDeps>; close: () => Promise<void> } {
  let opening: Promise<{ opened: OpenLog; deps: HealthDeps }> | null = null;
  return {
    get: async () => {
      opening ??= openDeps(config, component);
      return (await opening).deps;
    },
    close: async () => {
      const done = await opening?.catch(() => null);
      await done?.opened.close();
    },
  };
}
