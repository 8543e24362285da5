import { usageError } from '../args.ts';
import type { CliContext } from '../context.ts';

export async function run(_ctx: CliContext): Promise<number> {
  throw usageError('not implemented yet');
}
