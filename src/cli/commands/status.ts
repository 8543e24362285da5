import { gatherStatus } from '../../core/status.ts';
import { scrubText } from '../../redact.ts';
import { durationOption, parseCommandArgs, printable, usageError } from '../parsing/args.ts';
import { loadConfigOf, type CliContext } from '../wiring/context.ts';
import { statusDeps } from '../wiring/doctor-wire.ts';
import { formatStatus } from '../output/status-output.ts';
import { paintFor } from '../output/text.ts';

/** How long status waits for Vault and OVH together before showing the VIPs as unknown. */
const DEFAULT_TIMEOUT_MS = 5000;

/** `carp-ovh status [--json] [--timeout DURATION]`: one screen of what this router is and holds. Exit 0. */
export async function run(ctx: CliContext): Promise<number> {
  const { flags, options, positionals } = parseCommandArgs(ctx.args, { flags: ['--json'], options: ['--timeout'] });
  if (positionals.length > 0) throw usageError('usage: carp-ovh status [--json] [--timeout DURATION]');
  const timeoutText = options.get('--timeout');
  const timeoutMs = timeoutText === undefined ? DEFAULT_TIMEOUT_MS : durationOption(timeoutText);
  if (timeoutMs === null || timeoutMs <= 0) throw usageError(`--timeout needs a duration such as 500ms or 5s, got ${printable(timeoutText ?? '')}`);
  const config = await loadConfigOf(ctx);
  const report = await gatherStatus(await statusDeps(config, timeoutMs));
  const text = flags.has('--json') ? `${JSON.stringify(report, null, 2)}\n` : formatStatus(report, Date.now(), paintFor(process.stdout.isTTY === true, ctx.env));
  ctx.stdout.write(scrubText(text));
  return 0;
}
