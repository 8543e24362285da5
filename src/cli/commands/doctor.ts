import { loadConfig } from '../../config/load.ts';
import type { Config } from '../../config/types.ts';
import { configFailureReport, runDoctor } from '../../core/doctor/run.ts';
import type { DoctorReport } from '../../core/doctor/types.ts';
import { EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, isCarpOvhError } from '../../errors.ts';
import { scrubText } from '../../redact.ts';
import { availability } from '../wiring/adapters.ts';
import { parseCommandArgs, usageError } from '../parsing/args.ts';
import { configPathOf, type CliContext } from '../wiring/context.ts';
import { formatDoctor } from '../output/doctor-output.ts';
import { rootOption } from '../parsing/root-option.ts';
import { paintFor } from '../output/text.ts';

/**
 * `carp-ovh doctor [--json] [--root DIR]`: every check, PASS/WARN/FAIL with the
 * fix. Exit 0 without a FAIL, 1 with one, 2 when the configuration does not load.
 */
export async function run(ctx: CliContext): Promise<number> {
  const { flags, options, positionals } = parseCommandArgs(ctx.args, { flags: ['--json'], options: ['--root'] });
  if (positionals.length > 0) throw usageError('usage: carp-ovh doctor [--json] [--root DIR]');
  const root = rootOption(options.get('--root'));
  const path = configPathOf(ctx);

  let config: Config;
  try {
    config = await loadConfig(path, { available: availability() });
  } catch (error) {
    if (!isCarpOvhError(error) || error.source !== 'config') throw error;
    write(ctx, flags.has('--json'), configFailureReport(path, root, error.problems.length > 0 ? error.problems : [error.message], ctx.env, Date.now()));
    return EXIT_BAD_INPUT;
  }
  const { doctorDeps } = await import('../wiring/doctor-wire.ts');
  const report = await runDoctor(await doctorDeps(ctx, config, root));
  write(ctx, flags.has('--json'), report);
  return report.ok ? EXIT_OK : EXIT_FAILED;
}

function write(ctx: CliContext, json: boolean, report: DoctorReport): void {
  const text = json ? `${JSON.stringify(report, null, 2)}\n` : formatDoctor(report, paintFor(process.stdout.isTTY === true, ctx.env));
  ctx.stdout.write(scrubText(text));
}
