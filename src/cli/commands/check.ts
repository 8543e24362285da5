import type { Config } from '../../config/types.ts';
import type { LockHolder } from '../../core/ports/index.ts';
import { runCheck, type CheckReport } from '../../core/health/check.ts';
import type { HealthDeps } from '../../core/health/types.ts';
import type { MetricsServer } from '../../serve-metrics.ts';
import { describeError, exitCodeFor, isCarpOvhError } from '../../errors.ts';
import { sleep } from '../../sleep.ts';
import { StateDir } from '../../state.ts';
import { durationOption, parseCommandArgs, printable, usageError } from '../parsing/args.ts';
import { loadConfigOf, type CliContext } from '../wiring/context.ts';
import { formatReport } from '../output/health-output.ts';
import { lazyHealthDeps, scriptRunner } from '../wiring/health-wire.ts';

const USAGE = 'usage: carp-ovh check [--json] [--every DURATION]';
/** Below this a loop would spend its time starting Vault logins. */
const MIN_EVERY_MS = 100;

/**
 * `carp-ovh check`: probes and service scripts, demotion adjusted; exit 0 healthy,
 * 1 unhealthy. `--every` repeats it (under daemon(8)) for sub-minute reaction;
 * a run starts only when the previous one has finished.
 */
export async function run(ctx: CliContext): Promise<number> {
  const { flags, options, positionals } = parseCommandArgs(ctx.args, { flags: ['--json'], options: ['--every'] });
  if (positionals.length > 0) throw usageError(USAGE);
  const json = flags.has('--json');
  const every = options.get('--every');
  let everyMs: number | null = null;
  if (every !== undefined) {
    everyMs = durationOption(every);
    if (everyMs === null || everyMs < MIN_EVERY_MS)
      throw usageError(`--every needs a duration of at least ${MIN_EVERY_MS}ms such as 10s, got ${printable(every)}\n${USAGE}`);
  }

  const config = await loadConfigOf(ctx);
  const start = { config, state: new StateDir(config.stateDir), runScript: scriptRunner() };
  // Opened by the first run once its scripts are running (see runCheck), and kept by the loop.
  const deps = lazyHealthDeps(config, 'check', { loopEveryMs: everyMs });
  const recordFailure = async (): Promise<void> => {
    await (await deps.get()).metrics?.checkFailed();
  };
  try {
    if (everyMs === null) {
      // Said at once: the answer may be a whole check away (the rc.d loop's run in progress).
      const onWait = (holder: LockHolder): void => {
        ctx.stderr.write(`carp-ovh: a check is running (pid ${holder.pid}, since ${holder.since}); waiting for its result\n`);
      };
      const { report, sharedWith } = await runCheck({ ...start, onWait }, deps.get).catch(async (error: unknown) => {
        await recordFailure().catch(() => undefined);
        throw error;
      });
      if (json) ctx.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else ctx.stdout.write(`${sharedWith === undefined ? '' : `a check was running (pid ${sharedWith.pid}): its result\n`}${formatReport(report)}`);
      return report.healthy && report.error === undefined ? 0 : 1;
    }
    const server = config.metrics.listen === null ? null : await listenForMetrics(config, deps.get);
    if (server !== null) ctx.stdout.write(`metrics on http://${hostForUrl(config.metrics.listen?.host ?? '')}:${server.port}/metrics\n`);
    try {
      return await loop(
        ctx,
        everyMs,
        json,
        async () => (await runCheck(start, deps.get)).report,
        async (error) => {
          const { log } = await deps.get();
          log.error({ err: isCarpOvhError(error) ? error.toLogObject() : { message: describeError(error) } }, `check failed: ${describeError(error)}`);
          await recordFailure();
        },
      );
    } finally {
      await server?.close();
    }
  } finally {
    await deps.close();
  }
}

/** metrics.listen: /metrics renders what the state dir holds at each scrape (loaded only when configured). */
async function listenForMetrics(config: Config, deps: () => Promise<HealthDeps>): Promise<MetricsServer> {
  const listen = config.metrics.listen;
  if (listen === null) throw new Error('listenForMetrics without metrics.listen');
  const [{ serveMetrics }, { renderFromState }, { entryLabelsOf }, { CONTENT_TYPE }] = await Promise.all([
    import('../../serve-metrics.ts'),
    import('../../core/metrics/recorder.ts'),
    import('../../core/metrics/observe-platform.ts'),
    import('../../core/metrics/exposition.ts'),
  ]);
  const state = new StateDir(config.stateDir);
  const entries = entryLabelsOf(config);
  return serveMetrics({
    host: listen.host,
    port: listen.port,
    contentType: CONTENT_TYPE,
    render: () => renderFromState(state, entries),
    onError: (error) => {
      void deps().then(({ log }) => log.error({ err: { message: describeError(error) } }, `metrics: cannot render /metrics: ${describeError(error)}`));
    },
  });
}

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * Runs back to back, never overlapping: the next run starts `everyMs` after the
 * previous one started, or at once when it took longer. SIGTERM (daemon(8),
 * rc.d stop) and SIGINT end the loop after the run in progress.
 */
async function loop(
  ctx: CliContext,
  everyMs: number,
  json: boolean,
  check: () => Promise<CheckReport>,
  onError: (error: unknown) => Promise<void>,
): Promise<number> {
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  let shown = '';
  // Only the loop needs them: a single check (cron) does not load node:v8 and node:vm for them.
  const [{ HeapTrim }, { stopAtBaselineCompiler }] = await Promise.all([import('../runtime/heap-trim.ts'), import('../runtime/baseline-compiler.ts')]);
  stopAtBaselineCompiler();
  const heap = HeapTrim.create();
  try {
    while (!stop.signal.aborted) {
      const started = Date.now();
      try {
        const report = await check();
        if (json) {
          ctx.stdout.write(`${JSON.stringify(report)}\n`);
        } else {
          // Under daemon(8) stdout goes to syslog: print when something changed, not every run.
          const gist = JSON.stringify([report.healthy, report.probes.filter((p) => !p.ok).map((p) => p.name), report.demotion?.total, report.error]);
          if (gist !== shown) ctx.stdout.write(`${new Date(started).toISOString()} ${formatReport(report)}`);
          shown = gist;
        }
      } catch (error) {
        if (exitCodeFor(error) === 2) throw error;
        await onError(error).catch(() => undefined);
        ctx.stderr.write(`carp-ovh: check: ${describeError(error)}\n`);
        shown = '';
      }
      heap?.afterRun();
      const wait = started + everyMs - Date.now();
      if (wait > 0) await pause(wait, stop.signal);
    }
    return 0;
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
}

/** Waits between runs; a stop request ends the wait early, it is not an error. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return sleep(ms, signal).catch(() => undefined);
}
