import { usageError } from '../args.ts';
import type { CliContext } from '../context.ts';

// Placeholder until the command lands: a usage error, never a silent success.
export async function run(_ctx: CliContext): Promise<number> {
  throw usageError('carp-ovh status: not available in this version');
}
