import { applyInstall } from '../../install/apply.ts';
import { planInstall, type Timer } from '../../install/plan.ts';
import { parseCommandArgs, printable, usageError } from '../parsing/args.ts';
import { configPathOf, type CliContext } from '../wiring/context.ts';
import { rootOption } from '../parsing/root-option.ts';
import { peekPlatformKind } from '../../config/peek-kind.ts';
import { loadConfig } from '../../config/load.ts';
import { existsSync } from 'node:fs';
import { DEFAULT_TRACK_FILE } from '../../platform/keepalived/install.ts';
import { OPENBSD_SAMPLE_INTERFACES } from '../../platform/openbsd/install.ts';

/** The track file and share the snippets must name: the configuration's, or the defaults before one exists. */
async function keepalivedSettings(configPath: string): Promise<{ trackFile: string; share: number }> {
  if (!existsSync(configPath)) return { trackFile: DEFAULT_TRACK_FILE, share: 1 };
  const config = await loadConfig(configPath);
  return { trackFile: config.platform.trackFile, share: config.health.demotion };
}

/**
 * The carp interfaces the ifstated section must watch: those of the configuration's
 * failover entries (their `interface`), or the sample configuration's before one exists.
 */
async function openBsdSettings(configPath: string): Promise<{ interfaces: string[] }> {
  if (!existsSync(configPath)) return { interfaces: [...OPENBSD_SAMPLE_INTERFACES] };
  const config = await loadConfig(configPath);
  return { interfaces: config.failover.map((entry) => entry.interface) };
}

const USAGE = 'usage: carp-ovh install [--dry-run] [--root DIR] [--timer cron|rc.d|systemd|none] [--platform freebsd|openbsd|keepalived]';

/**
 * `carp-ovh install`: the devd rule (or OPNsense syshook), the check timer, the
 * service-status scripts and a sample config, with this node and CLI's absolute
 * paths; on a keepalived router the two keepalived.conf snippets and a systemd
 * unit instead; on OpenBSD the ifstated section (one run line per carp interface
 * of the configuration and state) and an rc.d script. Exit 0 written (or dry run), 1 when a file is in the way (nothing written).
 */
export async function run(ctx: CliContext): Promise<number> {
  const { flags, options, positionals } = parseCommandArgs(ctx.args, { flags: ['--dry-run'], options: ['--root', '--timer', '--platform'] });
  if (positionals.length > 0) throw usageError(USAGE);
  const timer = options.get('--timer');
  if (timer !== undefined && timer !== 'cron' && timer !== 'rc.d' && timer !== 'systemd' && timer !== 'none')
    throw usageError(`--timer must be cron, rc.d, systemd or none, got ${printable(timer)}`);
  const platformOption = options.get('--platform');
  if (platformOption !== undefined && platformOption !== 'freebsd' && platformOption !== 'openbsd' && platformOption !== 'keepalived')
    throw usageError(`--platform must be freebsd, openbsd or keepalived, got ${printable(platformOption)}`);
  const root = rootOption(options.get('--root'));
  const config = configPathOf(ctx);
  // The platform: as asked, else as the configuration says (or the host's default when there is none yet).
  const kind = platformOption ?? (await peekPlatformKind(config));
  const keepalived = kind === 'keepalived' ? await keepalivedSettings(config) : undefined;
  const openbsd = kind === 'openbsd' ? await openBsdSettings(config) : undefined;
  if (keepalived === undefined && timer === 'systemd') throw usageError('--timer systemd goes with a keepalived router (--platform keepalived)');
  if (openbsd !== undefined && timer === 'cron') throw usageError('--timer cron is for FreeBSD; an OpenBSD router takes rc.d (rcctl) or none');
  if (keepalived !== undefined && (timer === 'cron' || timer === 'rc.d'))
    throw usageError(`--timer ${timer} is for FreeBSD; a keepalived router takes systemd or none`);
  const plan = await planInstall({
    root,
    node: process.execPath,
    cli: ctx.cliPath,
    config,
    timer: timer as Timer | undefined,
    ...(keepalived === undefined ? {} : { keepalived }),
    ...(openbsd === undefined ? {} : { openbsd }),
  });
  const outcome = await applyInstall(plan, { root, dryRun: flags.has('--dry-run') });
  (outcome.exitCode === 0 ? ctx.stdout : ctx.stderr).write(`${outcome.lines.join('\n')}\n`);
  return outcome.exitCode;
}
