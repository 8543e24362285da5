import type { Config } from '../../config/types.ts';
import type { HealthDeps, OvhProbeSession, ScriptOutcome } from '../../core/health/types.ts';
import type { LogPort, OvhCredentials } from '../../core/ports.ts';
import { runCommand } from '../../platform/freebsd/run.ts';
import { logTarget, openLog, type OpenLog } from '../../log/index.ts';
import { StateDir } from '../../state.ts';
import { loadConfigOf, type CliContext } from './context.ts';
import { claimDeps, metricsFor, notifierFor, ovhApiFor, platformFor, secretSourceFor, virtualMacProviders } from './wire.ts';

/** The adapters behind `check`, `probe` and `maintenance` (see wire.ts for the claim's). */
export async function healthDeps(config: Config, log: LogPort): Promise<HealthDeps> {
  const carp = await platformFor(config);
  return {
    config,
    carp,
    metrics: await metricsFor(config, carp, log),
    notify: await notifierFor(config, log),
    state: new StateDir(config.stateDir),
    log,
    secrets: () => secretSourceFor(config),
    ovh: (credentials) => ovhProbeSession(config, credentials),
    claim: () => claimDeps(config, log),
    runScript,
    fileModeProblem: async (path) => (await import('../../secrets/file-mode.ts')).fileModeProblem(path),
  };
}

/** One OVH client per run: its /auth/time measure and keep-alive connection serve every read. */
async function ovhProbeSession(config: Config, credentials: OvhCredentials): Promise<OvhProbeSession> {
  const { client, api } = await ovhApiFor(config, credentials);
  const forServer = await virtualMacProviders(config, api, new StateDir(config.stateDir));
  return {
    clockOffset: (signal) => client.clockOffset({ signal }),
    locate: (server, addresses, signal) => forServer(server).locate(addresses, { signal }),
    close: () => client.close(),
  };
}

/**
 * runCommand already runs argv without a shell in its own process group, and
 * kills the group on timeout. It spawns on the call, synchronously: the scripts
 * are all running before the built-in probes start.
 */
export async function runScript(path: string, timeoutMs: number): Promise<ScriptOutcome> {
  const outcome = await runCommand(path, [], { timeoutMs });
  if (outcome.ok) return { kind: 'exit', code: outcome.exitCode, signal: outcome.signal, output: `${outcome.stdout}\n${outcome.stderr}` };
  if (outcome.reason === 'timeout') return { kind: 'timeout' };
  if (outcome.reason === 'output') return { kind: 'too-much-output' };
  return { kind: 'error', code: outcome.code, message: outcome.message };
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
