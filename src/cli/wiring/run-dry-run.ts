import type { FailoverEntry } from '../../config/types.ts';
import { planClaim } from '../../core/dry-run.ts';
import type { CarpState } from '../../core/ports/index.ts';
import { entryKeyOf } from '../../config/platform-kinds.ts';
import { EXIT_FAILED, EXIT_OK } from '../../errors.ts';
import { logTarget, openLog } from '../../log/index.ts';
import { scrubText } from '../../redact.ts';
import { formatDryRun } from '../output/dry-run-output.ts';
import { loadConfigOf, type CliContext } from './context.ts';
import { claimDeps } from './wire.ts';

export type DryRunRequest = { kind: 'event'; key: string; type: CarpState } | { kind: 'reconcile' };

/** `--dry-run` of hook and reconcile: the plan on stdout; exit 0 when it is complete, 1 when the claim would fail. */
export async function runDryRun(ctx: CliContext, request: DryRunRequest): Promise<number> {
  const config = await loadConfigOf(ctx);
  let entries: FailoverEntry[];
  if (request.kind === 'event') {
    const entry = config.failover.find((e) => entryKeyOf(config.platform.kind, e) === request.key);
    if (entry === undefined) {
      ctx.stdout.write(`dry run: ${request.key} is not in the config; the hook would ignore this event\n`);
      return EXIT_OK;
    }
    if (request.type !== 'MASTER') {
      ctx.stdout.write(`dry run: ${request.key} ${request.type}: not MASTER, the hook would change nothing\n`);
      return EXIT_OK;
    }
    entries = [entry];
  } else {
    entries = config.failover;
  }
  const opened = await openLog(config.log, logTarget(config.log, 'foreground'), { component: 'dry-run' });
  try {
    const report = await planClaim(await claimDeps(config, opened.log), entries);
    ctx.stdout.write(scrubText(formatDryRun(report)));
    return report.complete ? EXIT_OK : EXIT_FAILED;
  } finally {
    await opened.close();
  }
}
