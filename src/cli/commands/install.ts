import { applyInstall } from '../../install/apply.ts';
import { planInstall, type Timer } from '../../install/plan.ts';
import { parseCommandArgs, printable, usageError } from '../parsing/args.ts';
import { configPathOf, type CliContext } from '../wiring/context.ts';
import { rootOption } from '../parsing/root-option.ts';

const USAGE = 'usage: carp-ovh install [--dry-run] [--root DIR] [--timer cron|rc.d|none]';

/**
 * `carp-ovh install`: the devd rule (or OPNsense syshook), the check timer, the
 * service-status scripts and a sample config, with this node and CLI's absolute
 * paths. Exit 0 written (or dry run), 1 when a file is in the way (nothing written).
 */
export async function run(ctx: CliContext): Promise<number> {
  const { flags, options, positionals } = parseCommandArgs(ctx.args, { flags: ['--dry-run'], options: ['--root', '--timer'] });
  if (positionals.length > 0) throw usageError(USAGE);
  const timer = options.get('--timer');
  if (timer !== undefined && timer !== 'cron' && timer !== 'rc.d' && timer !== 'none')
    throw usageError(`--timer must be cron, rc.d or none, got ${printable(timer)}`);
  const root = rootOption(options.get('--root'));
  const plan = await planInstall({ root, node: process.execPath, cli: ctx.cliPath, config: configPathOf(ctx), timer: timer as Timer | undefined });
  const outcome = await applyInstall(plan, { root, dryRun: flags.has('--dry-run') });
  (outcome.exitCode === 0 ? ctx.stdout : ctx.stderr).write(`${outcome.lines.join('\n')}\n`);
  return outcome.exitCode;
}
