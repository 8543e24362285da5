import { applyUninstall } from '../../install/apply.ts';
import { parseCommandArgs, usageError } from '../parsing/args.ts';
import type { CliContext } from '../wiring/context.ts';
import { rootOption } from '../parsing/root-option.ts';

/**
 * `carp-ovh uninstall [--dry-run] [--root DIR] [--force]`: removes what install
 * recorded. A file changed since install is kept (exit 1) unless --force.
 */
export async function run(ctx: CliContext): Promise<number> {
  const { flags, options, positionals } = parseCommandArgs(ctx.args, { flags: ['--dry-run', '--force'], options: ['--root'] });
  if (positionals.length > 0) throw usageError('usage: carp-ovh uninstall [--dry-run] [--root DIR] [--force]');
  const outcome = await applyUninstall({ root: rootOption(options.get('--root')), dryRun: flags.has('--dry-run'), force: flags.has('--force') });
  (outcome.exitCode === 0 ? ctx.stdout : ctx.stderr).write(`${outcome.lines.join('\n')}\n`);
  return outcome.exitCode;
}
