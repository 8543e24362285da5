import { DEFAULT_CONFIG_PATH, type Config } from '../../config/types.ts';
import { fail, pass, warn } from '../../core/doctor/checklist.ts';
import type { Check, FilePort } from '../../core/ports/index.ts';
import { underRoot } from '../../root-path.ts';
import { IFSTATED_SECTION_PATH, OPENBSD_RC_SCRIPT_PATH } from './install.ts';

/**
 * Doctor's `install` group on OpenBSD: does ifstated read carp-ovh's section (an
 * `include` at the top level of /etc/ifstated.conf, the way the keepalived doctor
 * looks for its include), does that section run `hook` for every carp interface of
 * the configuration, and is the rc.d script for `check --every` there. Files are
 * read under --root; the programs the run lines name are checked as the router
 * will run them.
 */

export const IFSTATED_CONF = '/etc/ifstated.conf';

export interface OpenBsdInstallContext {
  config: Config;
  root: string;
  files: FilePort;
}

export async function openBsdInstallChecks(ctx: OpenBsdInstallContext): Promise<Check[]> {
  return [await includeCheck(ctx), await sectionCheck(ctx), await rcScriptCheck(ctx)];
}

/** Each `include "PATH"` of an ifstated.conf with the depth of `{}` blocks it sits in (0: the top level). */
export function ifstatedIncludes(text: string): Array<{ path: string; depth: number; line: number }> {
  const found: Array<{ path: string; depth: number; line: number }> = [];
  let depth = 0;
  text.split('\n').forEach((raw, index) => {
    // ifstated's lexer ends a line at # outside quotes.
    let line = '';
    let quoted = false;
    for (const ch of raw) {
      if (ch === '"') quoted = !quoted;
      if (ch === '#' && !quoted) break;
      line += ch;
    }
    const include = /^\s*include\s+"([^"]*)"/.exec(line);
    if (include !== null) found.push({ path: include[1] ?? '', depth, line: index + 1 });
    const code = line.replace(/"[^"]*"/g, '');
    for (const ch of code) {
      if (ch === '{') depth += 1;
      else if (ch === '}') depth = Math.max(0, depth - 1);
    }
  });
  return found;
}

async function includeCheck({ root, files }: OpenBsdInstallContext): Promise<Check> {
  const id = 'install.ifstated-include';
  const title = 'ifstated include';
  const text = await files.readText(underRoot(root, IFSTATED_CONF));
  const fix = `add include "${IFSTATED_SECTION_PATH}" at the top level of ${IFSTATED_CONF} (outside any state block), then rcctl enable ifstated && rcctl restart ifstated.`;
  if (text === null) {
    return fail('install', id, title, `${IFSTATED_CONF} does not exist: ifstated runs no carp-ovh hook, so a new MASTER never claims the failover IP`, fix);
  }
  const ours = ifstatedIncludes(text).filter((include) => include.path === IFSTATED_SECTION_PATH);
  const top = ours.find((include) => include.depth === 0);
  if (top !== undefined) return pass('install', id, title, `${IFSTATED_CONF}:${top.line} includes ${IFSTATED_SECTION_PATH}`);
  const nested = ours[0];
  if (nested !== undefined) {
    return fail(
      'install',
      id,
      title,
      `${IFSTATED_CONF}:${nested.line} includes ${IFSTATED_SECTION_PATH} inside a block: ifstated reads include only at the top level`,
      fix,
    );
  }
  return fail('install', id, title, `${IFSTATED_CONF} does not include ${IFSTATED_SECTION_PATH}: no CARP change reaches carp-ovh`, fix);
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
  const title = 'ifstated section';
  const section = await files.readText(underRoot(root, IFSTATED_SECTION_PATH));
  if (section === null) {
    return fail('install', id, title, `${IFSTATED_SECTION_PATH} is missing`, 'run carp-ovh install (it writes the section), then rcctl restart ifstated.');
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
      'run carp-ovh install again (it writes one run line per carp interface and state), then rcctl restart ifstated.',
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
      'run carp-ovh install again (it writes the current paths), then rcctl restart ifstated.',
    );
  }
  if (otherConfigs.size > 0) {
    return warn(
      'install',
      id,
      title,
      `its run lines read ${[...otherConfigs].join(', ')}, not ${config.source}`,
      `run carp-ovh --config ${config.source} install, then rcctl restart ifstated.`,
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
