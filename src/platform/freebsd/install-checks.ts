import { basename, join } from 'node:path';
import type { Config } from '../../config/types.ts';
import { DEFAULT_CONFIG_PATH } from '../../config/types.ts';
import { fail, pass, skip, warn } from '../../core/doctor/checklist.ts';
import type { Check, FilePort, InstallLayout } from '../../core/ports/index.ts';
import { underRoot } from '../../root-path.ts';
import { actionOf, blockMatches, parseDevdConf, type DevdBlock } from './devd-conf.ts';

/**
 * The files `install` writes, checked where devd, cron and OPNsense will look for
 * them (under --root). Paths inside them are the ones the router will run, so
 * they are checked as they are, not under the prefix.
 */

export interface InstallContext {
  config: Config;
  root: string;
  opnsense: boolean;
  layout: InstallLayout;
  files: FilePort;
}

const HOOK_COMMAND = /(\S+)\s+(\S+)((?:\s+--config\s+\S+)?)\s+hook\s+("?\$(?:\{?subsystem\}?|1)"?)/;

interface Command {
  node: string;
  cli: string;
  config: string | null;
}

function hookCommand(text: string): Command | null {
  const match = HOOK_COMMAND.exec(text);
  if (match === null) return null;
  const config = /--config\s+(\S+)/.exec(match[3] ?? '')?.[1] ?? null;
  return { node: match[1] ?? '', cli: match[2] ?? '', config };
}

export async function installChecks(ctx: InstallContext): Promise<Check[]> {
  const blocks = await devdBlocks(ctx);
  const ours = blocks.filter((block) => block.kind === 'notify' && hookCommand(actionOf(block) ?? '') !== null);
  const checks: Check[] = [];
  if (ctx.opnsense) {
    checks.push(await syshookCheck(ctx));
    if (ours.length > 0) {
      const files = [...new Set(ours.map((b) => b.file))].join(', ');
      checks.push(
        warn(
          'install',
          'install.devd',
          'devd rule',
          `${files} never runs on OPNsense (its own CARP rule, priority 101, wins)`,
          `remove it: OPNsense runs the syshook instead.`,
        ),
      );
    }
  } else {
    checks.push(await devdRuleCheck(ctx, ours));
    checks.push(priorityCheck(ctx, blocks, ours));
  }
  checks.push(await timerCheck(ctx));
  return checks;
}

async function devdBlocks(ctx: InstallContext): Promise<DevdBlock[]> {
  const files: string[] = [];
  for (const dir of ctx.layout.devdDirs) {
    const names = (await ctx.files.list(underRoot(ctx.root, dir))).filter((name) => name.endsWith('.conf')).sort();
    files.push(...names.map((name) => underRoot(ctx.root, join(dir, name))));
  }
  files.push(...ctx.layout.devdFiles.map((file) => underRoot(ctx.root, file)));
  const blocks: DevdBlock[] = [];
  for (const file of files) {
    const text = await ctx.files.readText(file);
    if (text !== null) blocks.push(...parseDevdConf(text, file));
  }
  return blocks;
}

/** Checks the programs and config a hook command names; returns problems, [] when all is well. */
async function commandProblems(ctx: InstallContext, command: Command): Promise<{ fails: string[]; warns: string[] }> {
  const fails: string[] = [];
  const warns: string[] = [];
  if (!command.node.startsWith('/')) fails.push(`${command.node} is not an absolute path (devd and cron run with PATH=/sbin:/bin:/usr/sbin:/usr/bin)`);
  else if (!(await ctx.files.executable(command.node))) fails.push(`${command.node} is missing or not executable`);
  if (!command.cli.startsWith('/')) fails.push(`${command.cli} is not an absolute path`);
  else if ((await ctx.files.stat(command.cli))?.isFile !== true) fails.push(`${command.cli} does not exist`);
  const config = command.config ?? DEFAULT_CONFIG_PATH;
  if (config !== ctx.config.source) warns.push(`it reads ${config}, doctor read ${ctx.config.source}`);
  return { fails, warns };
}

async function devdRuleCheck(ctx: InstallContext, ours: DevdBlock[]): Promise<Check> {
  const id = 'install.devd';
  const title = 'devd rule';
  const expected = underRoot(ctx.root, ctx.layout.devdRule);
  const rule = ours.find((block) => block.file === expected) ?? ours[0];
  if (rule === undefined) {
    return fail(
      'install',
      id,
      title,
      `no devd rule runs carp-ovh hook (looked in ${expected} and every devd .conf): CARP events move nothing`,
      'run carp-ovh install, then service devd restart.',
    );
  }
  const command = hookCommand(actionOf(rule) ?? '');
  if (command === null) return fail('install', id, title, `${rule.file}: cannot read its action`, 'run carp-ovh install again.');
  const { fails, warns } = await commandProblems(ctx, command);
  const unmatched = ctx.config.failover
    .map((entry) => `${entry.vhid}@${entry.interface}`)
    .filter((subsystem) => !blockMatches(rule, { system: 'CARP', subsystem, type: 'MASTER' }));
  if (unmatched.length > 0) fails.push(`its match lines do not accept ${unmatched.join(', ')} MASTER`);
  if (fails.length > 0)
    return fail('install', id, title, `${rule.file}: ${fails.join('; ')}`, 'run carp-ovh install again (it writes absolute paths), then service devd restart.');
  if (warns.length > 0)
    return warn(
      'install',
      id,
      title,
      `${rule.file}: ${warns.join('; ')}`,
      'run carp-ovh install with the same --config as the routers use, then service devd restart.',
    );
  return pass('install', id, title, `${rule.file} (priority ${rule.priority}) runs ${basename(command.cli)} with absolute paths`);
}

function priorityCheck(ctx: InstallContext, blocks: DevdBlock[], ours: DevdBlock[]): Check {
  const id = 'install.devd-priority';
  const title = 'devd rule priority';
  const mine = ours[0];
  if (mine === undefined) return skip('install', id, title, 'no carp-ovh devd rule');
  const events = ctx.config.failover.map((entry) => ({ system: 'CARP', subsystem: `${entry.vhid}@${entry.interface}`, type: 'MASTER' }));
  const rivals = blocks.filter((block) => block.kind === 'notify' && !ours.includes(block) && events.some((event) => blockMatches(block, event)));
  const above = rivals.filter((block) => block.priority >= mine.priority);
  const below = rivals.filter((block) => block.priority < mine.priority);
  const where = (list: DevdBlock[]): string => list.map((b) => `${b.file} (priority ${b.priority})`).join(', ');
  if (above.length > 0) {
    return fail(
      'install',
      id,
      title,
      `${where(above)} also matches CARP events at or above ours (${mine.priority}); devd runs only the highest-priority match, so carp-ovh's hook may never run`,
      `lower that rule below ${mine.priority}, or run its action from a script and remove the rule; then service devd restart.`,
    );
  }
  if (below.length > 0) {
    return warn(
      'install',
      id,
      title,
      `${where(below)} matches CARP events too and no longer runs: devd runs only the highest-priority match (ours, ${mine.priority})`,
      'remove that rule, or move its action elsewhere.',
    );
  }
  return pass('install', id, title, `no other rule for system CARP competes with ours (priority ${mine.priority})`);
}

async function syshookCheck(ctx: InstallContext): Promise<Check> {
  const id = 'install.syshook';
  const title = 'OPNsense syshook';
  const path = underRoot(ctx.root, ctx.layout.syshook);
  const text = await ctx.files.readText(path);
  if (text === null) return fail('install', id, title, `${path} is missing: on OPNsense CARP events reach carp-ovh only through it`, 'run carp-ovh install.');
  if (!(await ctx.files.executable(path))) return fail('install', id, title, `${path} is not executable`, `chmod 755 ${path}.`);
  const command = hookCommand(text);
  if (command === null) return fail('install', id, title, `${path} does not run carp-ovh hook`, 'run carp-ovh install again.');
  const { fails, warns } = await commandProblems(ctx, command);
  if (fails.length > 0) return fail('install', id, title, `${path}: ${fails.join('; ')}`, 'run carp-ovh install again.');
  if (warns.length > 0) return warn('install', id, title, `${path}: ${warns.join('; ')}`, 'run carp-ovh install with the --config the routers use.');
  return pass('install', id, title, `${path} runs ${basename(command.cli)} with absolute paths`);
}

/** Absolute paths of programs a timer file runs (node, the CLI, the package bin), comments aside. */
function programsIn(text: string): string[] {
  const found = new Set<string>();
  const code = text
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('#'))
    .join('\n');
  for (const match of code.matchAll(/(?:^|[\s"'=])(\/[A-Za-z0-9_.\/+-]+)/g)) {
    const path = match[1] ?? '';
    const name = basename(path);
    if (name === 'node' || name.endsWith('.js') || path.endsWith('/bin/carp-ovh')) found.add(path);
  }
  return [...found];
}

async function timerCheck(ctx: InstallContext): Promise<Check> {
  const id = 'install.timer';
  const title = 'check timer';
  const found: Array<{ path: string; text: string; kind: 'cron' | 'rc.d' }> = [];
  for (const cron of [ctx.layout.cronFile, '/usr/local/etc/cron.d/carp-ovh']) {
    const path = underRoot(ctx.root, cron);
    const text = await ctx.files.readText(path);
    if (text !== null) found.push({ path, text, kind: 'cron' });
  }
  const crontab = await ctx.files.readText(underRoot(ctx.root, '/etc/crontab'));
  const line = crontab?.split('\n').find((l) => !l.trimStart().startsWith('#') && /carp-ovh|cli\.js/.test(l) && /\scheck\b/.test(l));
  if (line !== undefined) found.push({ path: underRoot(ctx.root, '/etc/crontab'), text: line, kind: 'cron' });
  const rcPath = underRoot(ctx.root, ctx.layout.rcScript);
  const rcText = await ctx.files.readText(rcPath);
  if (rcText !== null) found.push({ path: rcPath, text: rcText, kind: 'rc.d' });
  if (ctx.opnsense)
    return opnsenseTimerCheck(
      ctx,
      found.map((t) => t.path),
    );

  if (found.length === 0) {
    return fail(
      'install',
      id,
      title,
      'nothing runs carp-ovh check: a router that loses Vault or the OVH API is never demoted',
      'run carp-ovh install (cron by default, --timer rc.d for a service).',
    );
  }
  const problems: string[] = [];
  for (const timer of found) {
    for (const program of programsIn(timer.text)) {
      if ((await ctx.files.stat(program)) === null) problems.push(`${timer.path} runs ${program}, which does not exist`);
    }
    if (timer.kind === 'rc.d' && !(await ctx.files.executable(timer.path))) problems.push(`${timer.path} is not executable`);
  }
  if (problems.length > 0) return fail('install', id, title, problems.join('; '), 'run carp-ovh install again (it writes the current paths).');
  const kinds = new Set(found.map((t) => t.kind));
  if (kinds.size > 1) {
    return warn(
      'install',
      id,
      title,
      `both ${found.map((t) => t.path).join(' and ')} run checks`,
      'keep one timer: carp-ovh uninstall, then install with the --timer you want.',
    );
  }
  const rc = found.find((t) => t.kind === 'rc.d');
  if (rc !== undefined && !(await rcEnabled(ctx, rc.text))) {
    return warn(
      'install',
      id,
      title,
      `${rc.path} is installed but not enabled in rc.conf`,
      `run sysrc ${rcVar(rc.text)}=YES && service ${rcName(rc.text)} start.`,
    );
  }
  return pass('install', id, title, found.map((t) => t.path).join(', '));
}

/**
 * On OPNsense, carp_service_status runs carp-ovh's probes from its own directory
 * and owns the demotion bit: a check timer as well would make two owners of it.
 */
async function opnsenseTimerCheck(ctx: InstallContext, timers: string[]): Promise<Check> {
  const id = 'install.timer';
  const title = 'service-status probes';
  const dir = underRoot(ctx.root, ctx.layout.serviceStatusDir);
  const probes = (await ctx.files.list(dir)).filter((name) => name.startsWith('carp-ovh-')).sort();
  const runnable: string[] = [];
  for (const name of probes) if (await ctx.files.executable(join(dir, name))) runnable.push(name);
  if (runnable.length === 0) {
    return fail(
      'install',
      id,
      title,
      `no executable carp-ovh-* script in ${dir}: OPNsense never demotes this router when Vault or OVH fail`,
      'run carp-ovh install.',
    );
  }
  if (timers.length > 0) {
    return warn(
      'install',
      id,
      title,
      `${timers.join(' and ')} also run carp-ovh check: two owners of the same demotion bit`,
      'remove the check timer (carp-ovh install --timer none after uninstall); OPNsense runs the probes.',
    );
  }
  return pass('install', id, title, `${runnable.join(', ')} in ${dir} (run by configctl interface update carp service_status)`);
}

function rcName(text: string): string {
  return /^\s*name=["']?([A-Za-z0-9_]+)/m.exec(text)?.[1] ?? 'carp_ovh';
}

function rcVar(text: string): string {
  return `${rcName(text)}_enable`;
}

async function rcEnabled(ctx: InstallContext, script: string): Promise<boolean> {
  const name = rcName(script);
  const variable = new RegExp(`^\\s*${name}_enable=["']?(yes|true|on|1)["']?\\s*(#.*)?$`, 'im');
  for (const file of ['/etc/rc.conf', '/etc/rc.conf.local', `/etc/rc.conf.d/${name}`, `/usr/local/etc/rc.conf.d/${name}`]) {
    const text = await ctx.files.readText(underRoot(ctx.root, file));
    if (text !== null && variable.test(text)) return true;
  }
  return false;
}
