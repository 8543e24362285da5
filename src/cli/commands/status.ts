import { gatherStatus } from '../../core/status.ts';
import { scrubText } from '../../redact.ts';
import { durationOption, parseCommandArgs, printable, usageError } from '../parsing/args.ts';
import { loadConfigOf, type CliContext } from '../wiring/context.ts';
import { statusDeps } from '../wiring/doctor-wire.ts';
import { formatStatus } from '../output/status-output.ts';
import { paintFor } from '../output/text.ts';

/** How long status waits for Vault and OVH together before showing the VIPs as unknown. */
const DEFAULT_TIMEOUT_MS = 5000;

const USAGE = 'usage: carp-ovh status [--json | --watch] [--timeout DURATION]';

/** `carp-ovh status [--json | --watch] [--timeout DURATION]`: one screen of what this router is and holds. Exit 0. */
export async function run(ctx: CliContext): Promise<number> {
  const { flags, options, positionals } = parseCommandArgs(ctx.args, { flags: ['--json', '--watch'], options: ['--timeout'] });
  if (positionals.length > 0) throw usageError(USAGE);
  if (flags.has('--json') && flags.has('--watch')) throw usageError(`--json and --watch do not go together\n${USAGE}`);
  const timeoutText = options.get('--timeout');
  const timeoutMs = timeoutText === undefined ? DEFAULT_TIMEOUT_MS : durationOption(timeoutText);
  if (timeoutMs === null || timeoutMs <= 0) throw usageError(`--timeout needs a duration such as 500ms or 5s, got ${printable(timeoutText ?? '')}`);
  const config = await loadConfigOf(ctx);
  if (flags.has('--watch')) {
    const { watch } = await import('../output/status-watch.ts');
    return watch(ctx, await statusDeps(config, timeoutMs));
  }
  const report = await gatherStatus(await statusDeps(config, timeoutMs));
  const text = flags.has('--json')
    ? `${JSON.stringify(report, null, 2)}\n`
    : formatStatus(report, Date.now(), paintFor(process.stdout.isTTY === true, ctx.env));
  ctx.stdout.write(scrubText(text));
  return 0;
}
