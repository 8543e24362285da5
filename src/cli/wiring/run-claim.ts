import type { Config } from '../../config/types.ts';
import { recordEvent } from '../../core/events.ts';
import type { CarpState } from '../../core/ports/index.ts';
import { releaseAliases, runClaim, type ClaimOutcome, type ClaimTarget } from '../../core/reconcile.ts';
import { describeError, EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, exitCodeFor, isCarpOvhError } from '../../errors.ts';
import { logTarget, openLog, type OpenLog } from '../../log/index.ts';
import { StateDir } from '../../state.ts';
import { loadConfigOf, type CliContext } from './context.ts';
import { claimDeps } from './wire.ts';

/** Foreground commands log where an operator sees them; the detached worker to syslog or log.file. */
export type Mode = 'foreground' | 'worker';

export interface EventRequest {
  kind: 'event';
  key: string;
  type: CarpState;
  seq: bigint;
}

export interface ReconcileRequest {
  kind: 'reconcile';
  seq: bigint;
}

/** Runs a hook event or a reconcile to the end; returns the exit code. */
export async function runClaimCommand(ctx: CliContext, request: EventRequest | ReconcileRequest, mode: Mode): Promise<number> {
  const config = await loadConfigForMode(ctx, mode);
  const opened = await openLog(config.log, logTarget(config.log, mode), { component: request.kind === 'event' ? 'hook' : 'reconcile' });
  try {
    return await withLog(ctx, config, opened, request, mode);
  } catch (error) {
    opened.log.error({ err: isCarpOvhError(error) ? error.toLogObject() : { message: describeError(error) } }, describeError(error));
    if (mode === 'foreground') ctx.stderr.write(`carp-ovh: ${describeError(error)}\n`);
    return exitCodeFor(error);
  } finally {
    await opened.close();
  }
}

async function withLog(ctx: CliContext, config: Config, opened: OpenLog, request: EventRequest | ReconcileRequest, mode: Mode): Promise<number> {
  const { log } = opened;
  const state = new StateDir(config.stateDir);
  await state.ensure();
  let targets: ClaimTarget[];
  let trigger: string;

  const deps = await claimDeps(config, log);
  if (request.kind === 'event') {
    const entry = config.failover.find((e) => deps.platform.entryKey(e) === request.key);
    if (entry === undefined) {
      log.info({ subsystem: request.key, type: request.type }, `CARP event for ${request.key} (${request.type}): not in the config, ignoring`);
      return EXIT_OK;
    }
    const newest = await recordEvent(state, request.key, request.seq, request.type);
    if (!newest) {
      log.info({ subsystem: request.key, type: request.type }, `CARP event ${request.key} ${request.type} arrived after a newer one: ignoring`);
      return EXIT_OK;
    }
    if (request.type !== 'MASTER') {
      log.info({ subsystem: request.key, type: request.type }, `${request.key} is ${request.type}: not MASTER, nothing to do`);
      await releaseAliases(deps, entry);
      return EXIT_OK;
    }
    log.info({ subsystem: request.key, type: request.type }, `CARP event: ${request.key} is MASTER, claiming ${entry.addresses.join(', ')}`);
    targets = [{ entry, seq: request.seq }];
    trigger = `hook ${request.key} MASTER`;
  } else {
    targets = config.failover.map((entry) => ({ entry, seq: request.seq }));
    trigger = 'reconcile';
  }

  const outcome = await runClaim(deps, targets, trigger);
  if (mode === 'foreground') ctx.stdout.write(summarise(outcome));
  if (outcome.result === 'failed') return outcome.error?.badInput === true ? EXIT_BAD_INPUT : EXIT_FAILED;
  if (outcome.result === 'busy') return EXIT_FAILED;
  return EXIT_OK;
}

async function loadConfigForMode(ctx: CliContext, mode: Mode): Promise<Config> {
  try {
    return await loadConfigOf(ctx);
  } catch (error) {
    if (mode === 'worker') await reportWithoutConfig(error);
    throw error;
  }
}

/** A detached worker has no terminal: with no usable config, syslog's defaults are the only place left. */
async function reportWithoutConfig(error: unknown): Promise<void> {
  const opened = await openLog({ level: 'info', syslog: { tag: 'carp-ovh', facility: 'daemon', logger: '/usr/bin/logger' }, file: '/dev/null' }, 'syslog');
  opened.log.error({ err: isCarpOvhError(error) ? error.toLogObject() : { message: describeError(error) } }, `cannot start the claim: ${describeError(error)}`);
  await opened.close();
}

function summarise(outcome: ClaimOutcome): string {
  const lines = [`claim ${outcome.result} in ${(outcome.durationMs / 1000).toFixed(1)}s`];
  for (const vhid of outcome.vhids) {
    lines.push(`  ${vhid.key}: ${vhid.state}, ${vhid.result}${vhid.mac === null ? '' : ` (MAC ${vhid.mac})`}`);
    for (const address of vhid.addresses) {
      const from = address.from === null ? 'nowhere' : address.from;
      const error = address.error === undefined ? '' : `: ${String(address.error.message)}`;
      lines.push(`    ${address.address}: ${address.result} (was on ${from})${error}`);
    }
    if (vhid.error !== undefined) lines.push(`    error: ${String(vhid.error.message)}`);
  }
  if (outcome.error !== undefined && outcome.vhids.every((v) => v.error === undefined)) lines.push(`  error: ${String(outcome.error.message)}`);
  return `${lines.join('\n')}\n`;
}
