import { basename, join } from 'node:path';
import { DEFAULT_CONFIG_PATH } from '../config/types.ts';
import { CarpOvhError } from '../errors.ts';
import { isOpnsense, LAYOUT } from './layout.ts';
import { SAMPLE_CONFIG } from './sample-config.ts';
import { readTemplate, readTemplateDir, renderTemplate, type Template, type TemplatePaths } from './templates.ts';

/** `none` on OPNsense by default: its carp_service_status runs carp-ovh's probes and owns the bit. */
export type Timer = 'cron' | 'rc.d' | 'systemd' | 'none';
export type Platform = 'freebsd' | 'opnsense' | 'keepalived' | 'openbsd';

export interface PlannedFile {
  /** Where it goes on the target system (the --root prefix comes on top). */
  path: string;
  content: string;
  mode: number;
  /** The template it came from, or `sample` for the sample configuration. */
  source: string;
  /** A sample is written only when nothing is there, and never replaced. */
  sample: boolean;
}

export interface InstallPlan {
  platform: Platform;
  timer: Timer;
  paths: TemplatePaths;
  files: PlannedFile[];
}

export interface PlanOptions {
  root: string;
  node: string;
  cli: string;
  /** The configuration path the installed hooks must pass (absolute). */
  config: string;
  /** Default: cron on FreeBSD, none on OPNsense, systemd with keepalived. */
  timer: Timer | undefined;
  /** Set for a keepalived router (the config's platform.kind): its track file and demotion share. */
  keepalived?: { trackFile: string; share: number };
  /** Set for an OpenBSD router: the carp interfaces its ifstated section reports on. */
  openbsd?: { interfaces: string[] };
}

/** Template folders under hooks/ and where their files go. */
const TIMERS: Record<Exclude<Timer, 'none'>, { dir: string; target: string; mode: number }> = {
  cron: { dir: 'hooks/cron.d', target: '/etc/cron.d', mode: 0o644 },
  'rc.d': { dir: 'hooks/rc.d', target: '/usr/local/etc/rc.d', mode: 0o755 },
  systemd: { dir: 'hooks/systemd', target: '/etc/systemd/system', mode: 0o644 },
};

export async function planInstall(options: PlanOptions): Promise<InstallPlan> {
  if (options.keepalived !== undefined) return planKeepalived(options, options.keepalived);
  if (options.openbsd !== undefined) return planOpenBsd(options, options.openbsd);
  const platform: Platform = isOpnsense(options.root) ? 'opnsense' : 'freebsd';
  const paths: TemplatePaths = { node: options.node, cli: options.cli };
  if (options.config !== DEFAULT_CONFIG_PATH) paths.config = options.config;
  const files: PlannedFile[] = [];
  const add = (template: Template, path: string, mode: number): void => {
    files.push({ path, content: renderTemplate(template.text, paths, template.source), mode, source: template.source, sample: false });
  };

  if (platform === 'opnsense') {
    // OPNsense's own devd rule (priority 101) wins over ours; it runs these syshooks.
    add(await required('hooks/rc.syshook.d/carp/50-carp-ovh'), LAYOUT.syshook, 0o755);
  } else {
    add(await required('devd/carp-ovh.conf'), LAYOUT.devdRule, 0o644);
  }

  const timerName: Timer = options.timer ?? (platform === 'opnsense' ? 'none' : 'cron');
  if (timerName !== 'none') {
    const timer = TIMERS[timerName];
    const timerTemplates = await readTemplateDir(timer.dir);
    if (timerTemplates.length === 0) throw missing(timer.dir);
    for (const template of timerTemplates) add(template, join(timer.target, basename(template.source)), timer.mode);
  }

  for (const template of await readTemplateDir('hooks/rc.carp_service_status.d')) {
    add(template, join(LAYOUT.serviceStatusDir, basename(template.source)), 0o755);
  }

  files.push({ path: options.config, content: SAMPLE_CONFIG, mode: 0o644, source: 'sample', sample: true });
  return { platform, timer: timerName, paths, files };
}

/** A keepalived router: the two keepalived.conf snippets, the timer (a systemd unit by default), a sample config. */
async function planKeepalived(options: PlanOptions, keepalived: { trackFile: string; share: number }): Promise<InstallPlan> {
  const { keepalivedSnippetFiles, sampleKeepalivedConfig } = await import('../platform/keepalived/install.ts');
  const paths: TemplatePaths = { node: options.node, cli: options.cli };
  if (options.config !== DEFAULT_CONFIG_PATH) paths.config = options.config;
  const rendered = renderTemplate('%%NODE%% %%CLI%%%%CONFIG%%', paths, 'keepalived notify');
  const [node = '', cli = '', ...configWords] = rendered.split(' ');
  const files: PlannedFile[] = keepalivedSnippetFiles({
    node,
    cli,
    configArg: configWords.join(' '),
    trackFile: keepalived.trackFile,
    share: keepalived.share,
  }).map((file) => ({ ...file, sample: false }));
  const timerName: Timer = options.timer ?? 'systemd';
  if (timerName !== 'none') {
    const timer = TIMERS[timerName];
    for (const template of await readTemplateDir(timer.dir)) {
      files.push({
        path: join(timer.target, basename(template.source)),
        content: renderTemplate(template.text, paths, template.source),
        mode: timer.mode,
        source: template.source,
        sample: false,
      });
    }
  }
  files.push({ path: options.config, content: sampleKeepalivedConfig(keepalived.trackFile), mode: 0o644, source: 'sample', sample: true });
  return { platform: 'keepalived', timer: timerName, paths, files };
}

/** An OpenBSD router: the ifstated section, the rc.d script for check --every (timer rc.d, the default), a sample config. */
async function planOpenBsd(options: PlanOptions, openbsd: { interfaces: string[] }): Promise<InstallPlan> {
  const { openBsdInstallFiles, OPENBSD_SAMPLE_CONFIG } = await import('../platform/openbsd/install.ts');
  const paths: TemplatePaths = { node: options.node, cli: options.cli };
  if (options.config !== DEFAULT_CONFIG_PATH) paths.config = options.config;
  const [node = '', cli = '', ...configWords] = renderTemplate('%%NODE%% %%CLI%%%%CONFIG%%', paths, 'ifstated run line').split(' ');
  const timerName: Timer = options.timer ?? 'rc.d';
  if (timerName !== 'rc.d' && timerName !== 'none') {
    throw new CarpOvhError(`--timer ${timerName} is not for OpenBSD: use rc.d (rcctl) or none`, { source: 'cli', badInput: true });
  }
  const files: PlannedFile[] = openBsdInstallFiles({ node, cli, configArg: configWords.join(' '), interfaces: openbsd.interfaces }, timerName === 'rc.d').map(
    (file) => ({ ...file, sample: false }),
  );
  files.push({ path: options.config, content: OPENBSD_SAMPLE_CONFIG, mode: 0o644, source: 'sample', sample: true });
  return { platform: 'openbsd', timer: timerName, paths, files };
}

async function required(source: string): Promise<Template> {
  const template = await readTemplate(source);
  if (template === null) throw missing(source);
  return template;
}

function missing(source: string): CarpOvhError {
  return new CarpOvhError(`the carp-ovh package lacks ${source}: reinstall it (npm install -g carp-ovh)`, { source: 'internal' });
}
