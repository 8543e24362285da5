import { DEFAULT_CONFIG_PATH, type Config } from '../../config/types.ts';
import { fail, pass, warn } from '../../core/doctor/checklist.ts';
import type { Check, FilePort } from '../../core/ports/index.ts';
import { underRoot } from '../../root-path.ts';
import { IFSTATED_SECTION_PATH, OPENBSD_IFSTATED_RC_PATH, OPENBSD_RC_SCRIPT_PATH } from './install.ts';

/**
 * Doctor's `install` group on OpenBSD: is carp-ovh's own ifstated installed and
 * enabled (its rc.d script, on carp-ovh's ifstated file), does that file run `hook`
 * for every carp interface of the configuration, does /etc/ifstated.conf stay clear
 * of what would break it or fight carp-ovh, and is the rc.d script for
 * `check --every` there. Files are read under --root; the programs the run lines
 * name are checked as the router will run them.
 */

export const IFSTATED_CONF = '/etc/ifstated.conf';
/** Where rcctl enable records a script that is not a base daemon (pkg_scripts). */
export const RC_CONF_LOCAL = '/etc/rc.conf.local';

export interface OpenBsdInstallContext {
  config: Config;
  root: string;
  files: FilePort;
}

export async function openBsdInstallChecks(ctx: OpenBsdInstallContext): Promise<Check[]> {
  return [await daemonCheck(ctx), await sectionCheck(ctx), await operatorConfCheck(ctx), await rcScriptCheck(ctx)];
}

/** Each `include "PATH"` line of an ifstated.conf that is not a comment, with its line number. */
export function ifstatedIncludes(text: string): Array<{ path: string; line: number }> {
  const found: Array<{ path: string; line: number }> = [];
  text.split('\n').forEach((raw, index) => {
    const include = /^\s*include\s+"([^"]*)"/.exec(raw);
    if (include !== null) found.push({ path: include[1] ?? '', line: index + 1 });
  });
  return found;
}

/** The names `pkg_scripts=` lists in rc.conf.local (what `rcctl enable` adds a non-base script to). */
function pkgScripts(text: string): string[] {
  const line = text
    .split('\n')
    .map((raw) => raw.replace(/#.*$/, '').trim())
    .filter((raw) => raw.startsWith('pkg_scripts='))
    .pop();
  return (line ?? '')
    .replace(/^pkg_scripts=/, '')
    .replace(/^["']|["']$/g, '')
    .split(/\s+/)
    .filter((word) => word !== '');
}

/** carp-ovh's own ifstated: its rc.d script runs ifstated on carp-ovh's file, and rcctl enabled it. */
async function daemonCheck({ root, files }: OpenBsdInstallContext): Promise<Check> {
  const id = 'install.ifstated';
  const title = "carp-ovh's ifstated";
  const script = await files.readText(underRoot(root, OPENBSD_IFSTATED_RC_PATH));
  if (script === null || !script.includes(`daemon_flags="-f ${IFSTATED_SECTION_PATH}"`)) {
    return fail(
      'install',
      id,
      title,
      `${OPENBSD_IFSTATED_RC_PATH} ${script === null ? 'is missing' : `does not run ifstated on ${IFSTATED_SECTION_PATH}`}: no CARP change reaches carp-ovh`,
      'run carp-ovh install, then rcctl enable carp_ovh_ifstated && rcctl start carp_ovh_ifstated.',
    );
  }
  const enabled = pkgScripts((await files.readText(underRoot(root, RC_CONF_LOCAL))) ?? '').includes('carp_ovh_ifstated');
  if (!enabled) {
    return warn(
      'install',
      id,
      title,
      `${OPENBSD_IFSTATED_RC_PATH} is installed but not enabled (pkg_scripts in ${RC_CONF_LOCAL}): it does not start at boot`,
      'rcctl enable carp_ovh_ifstated && rcctl start carp_ovh_ifstated.',
    );
  }
  return pass('install', id, title, `${OPENBSD_IFSTATED_RC_PATH} runs ifstated -f ${IFSTATED_SECTION_PATH}, enabled`);
}

/**
 * /etc/ifstated.conf is the operator's, but two things in it matter: an `include`
 * (ifstated.conf has none: ifstated refuses the whole file, so the operator's own
 * ifstated stops), and run lines that still do carp-ovh's job for the failover IP.
 */
async function operatorConfCheck({ config, root, files }: OpenBsdInstallContext): Promise<Check> {
  const id = 'install.ifstated-conf';
  const title = IFSTATED_CONF;
  const text = await files.readText(underRoot(root, IFSTATED_CONF));
  if (text === null) return pass('install', id, title, `none: only carp-ovh's ifstated runs (${IFSTATED_SECTION_PATH})`);
  const include = ifstatedIncludes(text)[0];
  if (include !== undefined) {
    return fail(
      'install',
      id,
      title,
      `${IFSTATED_CONF}:${include.line} has an include line, which ifstated does not know: it refuses the whole file`,
      `remove that line: carp-ovh runs its own ifstated on ${IFSTATED_SECTION_PATH} (rcctl enable carp_ovh_ifstated).`,
    );
  }
  const addresses = config.failover.flatMap((entry) => entry.addresses);
  const rival = text.split('\n').findIndex((raw) => {
    const code = raw.replace(/#.*$/, '');
    return /\brun\b/.test(code) && (/ipmoveOvh/.test(code) || /carpdemote/.test(code) || addresses.some((address) => code.includes(address)));
  });
  if (rival !== -1) {
    return warn(
      'install',
      id,
      title,
      `${IFSTATED_CONF}:${rival + 1} still runs what carp-ovh does (the failover IP's alias, ipmoveOvh or carpdemote): two owners undo each other`,
      'remove those run lines from /etc/ifstated.conf, then rcctl restart ifstated.',
    );
  }
  return pass('install', id, title, "runs nothing carp-ovh does (carp-ovh's ifstated has its own file)");
}

interface RunLine {
  test: string;
  words: string[];
}

function runLines(section: string): RunLine[] {
  return [...section.matchAll(/^if (\S+)\n\trun "([^"]*)"$/gm)].map((m) => ({ test: m[1] ?? '', words: (m[2] ?? '').split(' ') }));
}

async function sectionCheck({ config, root, files }: OpenBsdInstallContext): Promise<Check> {
  const id = 'install.ifstated-section';
  const title = "carp-ovh's ifstated file";
  const section = await files.readText(underRoot(root, IFSTATED_SECTION_PATH));
  if (section === null) {
    return fail(
      'install',
      id,
      title,
      `${IFSTATED_SECTION_PATH} is missing`,
      'run carp-ovh install (it writes the file), then rcctl restart carp_ovh_ifstated.',
    );
  }
  const lines = runLines(section);
  const hooks = (state: string, iface: string): RunLine[] =>
    lines.filter((line) => line.test === `${iface}.link.${state === 'MASTER' ? 'up' : 'down'}` && line.words.slice(-3).join(' ') === `hook ${iface} ${state}`);
  const interfaces = [...new Set(config.failover.map((entry) => entry.interface))];
  const unwatched = interfaces.filter((iface) => hooks('MASTER', iface).length === 0 || hooks('BACKUP', iface).length === 0);
  if (unwatched.length > 0) {
    return fail(
      'install',
      id,
      title,
      `${IFSTATED_SECTION_PATH} runs no hook for ${unwatched.join(', ')} (${unwatched.length === 1 ? 'a failover interface' : 'failover interfaces'} of the configuration)`,
      'run carp-ovh install again (it writes one run line per carp interface and state), then rcctl restart carp_ovh_ifstated.',
    );
  }
  const ours = interfaces.flatMap((iface) => [...hooks('MASTER', iface), ...hooks('BACKUP', iface)]);
  const missing = new Set<string>();
  const otherConfigs = new Set<string>();
  for (const line of ours) {
    for (const word of line.words.slice(0, 2)) if ((await files.stat(word)) === null) missing.add(word);
    const at = line.words.indexOf('--config');
    const named = at === -1 ? DEFAULT_CONFIG_PATH : (line.words[at + 1] ?? DEFAULT_CONFIG_PATH);
    if (named !== config.source) otherConfigs.add(named);
  }
  if (missing.size > 0) {
    return fail(
      'install',
      id,
      title,
      `its run lines call ${[...missing].join(' and ')}, which ${missing.size === 1 ? 'does' : 'do'} not exist`,
      'run carp-ovh install again (it writes the current paths), then rcctl restart carp_ovh_ifstated.',
    );
  }
  if (otherConfigs.size > 0) {
    return warn(
      'install',
      id,
      title,
      `its run lines read ${[...otherConfigs].join(', ')}, not ${config.source}`,
      `run carp-ovh --config ${config.source} install, then rcctl restart carp_ovh_ifstated.`,
    );
  }
  return pass('install', id, title, `${IFSTATED_SECTION_PATH} runs carp-ovh hook on MASTER and BACKUP of ${interfaces.join(', ')}`);
}

async function rcScriptCheck({ root, files }: OpenBsdInstallContext): Promise<Check> {
  const id = 'install.timer';
  const title = 'check timer';
  if ((await files.stat(underRoot(root, OPENBSD_RC_SCRIPT_PATH))) !== null) {
    return pass('install', id, title, `${OPENBSD_RC_SCRIPT_PATH} runs carp-ovh check --every (rcctl enable carp_ovh starts it at boot)`);
  }
  return warn(
    'install',
    id,
    title,
    `${OPENBSD_RC_SCRIPT_PATH} is missing: unless something else runs carp-ovh check, a router that loses Vault or the OVH API is never demoted`,
    'run carp-ovh install (--timer rc.d, the default), then rcctl enable carp_ovh && rcctl start carp_ovh.',
  );
}
