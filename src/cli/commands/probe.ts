import { runProbe } from '../../core/health/check.ts';
import { BUILTIN_PROBES, type BuiltinProbe } from '../../core/health/types.ts';
import { parseCommandArgs, printable, usageError } from '../parsing/args.ts';
import type { CliContext } from '../wiring/context.ts';
import { formatProbe } from '../output/health-output.ts';
import { openHealthCommand } from '../wiring/health-wire.ts';

const USAGE = `usage: carp-ovh probe <${BUILTIN_PROBES.join('|')}> [--json]`;

/**
 * `carp-ovh probe NAME`: one probe, for OPNsense's service-status scripts (exit 0
 * healthy, 1 failing). A probe that could not run because another failed exits 0:
 * that one carries the demotion, and OPNsense's log then names only it.
 */
export async function run(ctx: CliContext): Promise<number> {
  const { flags, positionals } = parseCommandArgs(ctx.args, { flags: ['--json'] });
  const name = positionals[0];
  if (positionals.length !== 1 || name === undefined) throw usageError(USAGE);
  if (!(BUILTIN_PROBES as readonly string[]).includes(name)) throw usageError(`unknown probe ${printable(name)}\n${USAGE}`);

  const { opened, deps } = await openHealthCommand(ctx, 'probe');
  try {
    const result = await runProbe(deps, name as BuiltinProbe);
    ctx.stdout.write(flags.has('--json') ? `${JSON.stringify(result, null, 2)}\n` : `${formatProbe(result)}\n`);
    return result.ok || result.skipped === true ? 0 : 1;
  } finally {
    await opened.close();
  }
}
