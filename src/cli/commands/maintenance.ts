import { enterMaintenance, leaveMaintenance } from '../../core/health/maintenance.ts';
import { formatDuration } from '../../duration.ts';
import { durationOption, parseCommandArgs, printable, usageError } from '../parsing/args.ts';
import type { CliContext } from '../wiring/context.ts';
import { formatDemotion } from '../output/health-output.ts';
import { openHealthCommand } from '../wiring/health-wire.ts';

const USAGE = 'usage: carp-ovh maintenance <enter|leave> [--timeout DURATION]';
/** The peer's claim is bounded by its ovh.deadline; CARP's takeover adds seconds. */
const TAKEOVER_MARGIN_MS = 30_000;

/** `carp-ovh maintenance enter|leave`: planned failover to the peer, and back. */
export async function run(ctx: CliContext): Promise<number> {
  const { options, positionals } = parseCommandArgs(ctx.args, { options: ['--timeout'] });
  const action = positionals[0];
  if (positionals.length !== 1 || (action !== 'enter' && action !== 'leave')) throw usageError(USAGE);
  const timeout = options.get('--timeout');
  const timeoutMs = timeout === undefined ? undefined : durationOption(timeout);
  if (timeoutMs === null || timeoutMs === 0) throw usageError(`--timeout needs a duration such as 5m, got ${printable(timeout ?? '')}\n${USAGE}`);
  if (action === 'leave' && timeout !== undefined) throw usageError(`--timeout applies to enter only\n${USAGE}`);

  const { config, opened, deps } = await openHealthCommand(ctx, 'maintenance');
  const out = (line: string): void => ctx.stdout.write(`${line}\n`);
  try {
    if (action === 'leave') {
      const { wasIn, demotion } = await leaveMaintenance(deps);
      opened.log.info({ demotion: demotion.total }, wasIn ? 'maintenance left' : 'maintenance leave: was not in maintenance');
      out(wasIn ? 'maintenance left' : 'not in maintenance: nothing to leave');
      out(formatDemotion(demotion));
      if (demotion.ours) out(`still demoted for: ${Object.keys(demotion.reasons).sort().join(', ')} (see carp-ovh check)`);
      return 0;
    }

    const budget = timeoutMs ?? config.ovh.deadlineMs + TAKEOVER_MARGIN_MS;
    opened.log.info({ timeoutMs: budget }, 'maintenance enter: demoting and waiting for the peer to hold the VIPs');
    const result = await enterMaintenance(deps, { timeoutMs: budget, pollMs: config.ovh.pollIntervalMs, progress: out });
    if (result.ok) {
      opened.log.info({ tookMs: result.tookMs }, `maintenance: the peer holds the VIPs after ${formatDuration(result.tookMs)}`);
      out(`done in ${formatDuration(result.tookMs)}: this router is BACKUP and OVH routes the VIPs to the peer`);
      out('this router stays demoted until `carp-ovh maintenance leave`');
      return 0;
    }
    opened.log.error({ tookMs: result.tookMs, last: result.summary }, 'maintenance: the peer did not take the VIPs in time');
    out(`gave up after ${formatDuration(result.tookMs)}: ${result.summary}`);
    out(
      'this router stays demoted (maintenance). The peer takes over only with net.inet.carp.preempt=1, and must be able to claim (run carp-ovh check there);',
    );
    out('`carp-ovh maintenance leave` undoes this.');
    return 1;
  } finally {
    await opened.close();
  }
}
