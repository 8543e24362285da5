import { entryKeyOf } from '../../config/platform-kinds.ts';
import { parseCommandArgs, usageError } from '../parsing/args.ts';
import { configPathOf, loadConfigOf, type CliContext } from '../wiring/context.ts';

/** `carp-ovh config check`: OK or every problem as FILE:LINE: key: expected …, exit 0 / 2. */
export async function run(ctx: CliContext): Promise<number> {
  const { positionals } = parseCommandArgs(ctx.args, {});
  if (positionals.length !== 1 || positionals[0] !== 'check') throw usageError('usage: carp-ovh config check [--config PATH]');
  const config = await loadConfigOf(ctx);
  const vhids = config.failover.map((entry) => entryKeyOf(config.platform.kind, entry)).join(', ');
  ctx.stdout.write(`OK ${configPathOf(ctx)} (failover: ${vhids})\n`);
  return 0;
}
