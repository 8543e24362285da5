import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { dirname, isAbsolute } from 'node:path';
import type { Check, CheckStatus, FilePort } from '../../core/ports/index.ts';
import { underRoot } from '../../root-path.ts';
import { child, findAll, parseKeepalivedConf, type ConfNode, type ParsedConf } from './conf-parse.ts';
import { SNIPPET_PATH, INSTANCE_SNIPPET_PATH } from './snippet.ts';

const UNIT_PATH = '/etc/systemd/system/carp-ovh-check.service';
const UNIT_WANTS = '/etc/systemd/system/multi-user.target.wants/carp-ovh-check.service';

/**
 * Doctor's platform group on a keepalived router: is keepalived running, does
 * its configuration include carp-ovh's snippets, does each instance carp-ovh
 * follows run `carp-ovh hook` and watch the track file, and would the
 * demotion actually move the VIP (weight against priority, preemption).
 */

export const DEFAULT_KEEPALIVED_CONF = '/etc/keepalived/keepalived.conf';

export interface KeepalivedDoctorInput {
  entries: Array<{ vrrpInstance?: string; interface: string; addresses: string[] }>;
  ip: string;
  trackFile: string;
  share: number;
  files: FilePort;
  /** The running CLI's entry: the notify line and the unit should run this one. */
  cliPath: string;
  /**
   * doctor --root: where install's files are read (the check timer's unit). The
   * platform group reads the live system (/proc, the running keepalived's
   * configuration); the programs the unit names are checked as they are.
   */
  root?: string;
  /** Where /proc is (tests point it at a fake one). */
  procDir?: string;
  /** keepalived.conf when no running keepalived names one with -f. */
  defaultConf?: string;
  /** Whether the track file's directory may be written (tests fake it). */
  writable?: (path: string) => Promise<boolean>;
}

function check(status: CheckStatus, id: string, title: string, detail: string, fix?: string): Check {
  return fix === undefined || status === 'pass' || status === 'skip'
    ? { id, group: 'platform', status, title, detail }
    : { id, group: 'platform', status, title, detail, fix };
}

interface Daemon {
  pid: number;
  conf: string;
}

/** keepalived's parent process and the configuration it was started with (-f FILE, --use-file=FILE). */
async function findKeepalived(files: FilePort, proc: string, fallback: string): Promise<Daemon[]> {
  const found: Daemon[] = [];
  for (const name of await files.list(proc)) {
    if (!/^\d+$/.test(name)) continue;
    const comm = (await files.readText(`${proc}/${name}/comm`))?.trim();
    if (comm !== 'keepalived') continue;
    const argv = ((await files.readText(`${proc}/${name}/cmdline`)) ?? '').split('\0').filter((word) => word !== '');
    let conf = fallback;
    for (let i = 1; i < argv.length; i++) {
      const word = argv[i] ?? '';
      if ((word === '-f' || word === '--use-file') && argv[i + 1] !== undefined) conf = argv[i + 1] ?? conf;
      else if (word.startsWith('--use-file=')) conf = word.slice('--use-file='.length);
      else if (/^-f./.test(word)) conf = word.slice(2);
    }
    found.push({ pid: Number(name), conf });
  }
  // keepalived forks a VRRP child (and a checker) with the same command line: one daemon per configuration.
  const byConf = new Map<string, Daemon>();
  for (const daemon of found.sort((a, b) => a.pid - b.pid)) if (!byConf.has(daemon.conf)) byConf.set(daemon.conf, daemon);
  return [...byConf.values()];
}

function instanceNamed(conf: ParsedConf, name: string): ConfNode | undefined {
  return conf.nodes.find((node) => node.keyword === 'vrrp_instance' && node.args[0] === name);
}

/** The track_file blocks at the top level: name → {file, weight}. */
function trackFiles(conf: ParsedConf): Map<string, { file: string | null; weight: number }> {
  const out = new Map<string, { file: string | null; weight: number }>();
  for (const node of conf.nodes) {
    if ((node.keyword !== 'track_file' && node.keyword !== 'vrrp_track_file') || node.args[0] === undefined) continue;
    const weight = Number(child(node, 'weight')?.args[0] ?? '1');
    out.set(node.args[0], { file: child(node, 'file')?.args[0] ?? null, weight: Number.isFinite(weight) ? weight : 1 });
  }
  return out;
}

function virtualAddresses(instance: ConfNode): Array<{ address: string; dev: string | null }> {
  const block = child(instance, 'virtual_ipaddress');
  return (block?.children ?? []).map((line) => {
    const devAt = line.args.indexOf('dev');
    return { address: line.keyword.replace(/\/\d+$/, ''), dev: devAt === -1 ? null : (line.args[devAt + 1] ?? null) };
  });
}

/** Effective priority keepalived advertises with our share in the track file. */
export function demotedPriority(priority: number, weight: number, share: number): number | 'FAULT' {
  const delta = weight * share;
  if (weight === 0 && share !== 0) return 'FAULT';
  if (delta < -253) return 'FAULT';
  return Math.min(254, Math.max(1, priority + delta));
}

async function defaultWritable(path: string): Promise<boolean> {
  try {
    await access(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

export async function keepalivedDoctorChecks(input: KeepalivedDoctorInput): Promise<Check[]> {
  const platform = await platformChecks(input);
  // The installed trigger of this platform (keepalived's notify) is checked above; its check timer is the install group's.
  return [...platform, await timerCheck(input.files, input.cliPath, input.root ?? '/')];
}

async function platformChecks(input: KeepalivedDoctorInput): Promise<Check[]> {
  const checks: Check[] = [];
  const { files } = input;
  const writable = input.writable ?? defaultWritable;

  const ipOk = await files.executable(input.ip);
  checks.push(
    ipOk
      ? check('pass', 'platform.ip', 'ip', `${input.ip} is executable`)
      : check('fail', 'platform.ip', 'ip', `${input.ip} is missing or not executable`, "set platform.ip to iproute2's ip (/sbin/ip or /usr/sbin/ip)."),
  );

  // The track file: carp-ovh writes it (as root, from the hook and the check), keepalived reads it.
  const trackDir = dirname(input.trackFile);
  const trackStat = await files.stat(input.trackFile);
  const dirStat = await files.stat(trackDir);
  const trackWritable = trackStat !== null ? await writable(input.trackFile) : dirStat !== null ? await writable(trackDir) : await writable(dirname(trackDir));
  checks.push(
    trackWritable
      ? check('pass', 'keepalived.track_file', 'track file', `${input.trackFile} ${trackStat === null ? 'can be created' : 'is writable'}`)
      : check(
          'fail',
          'keepalived.track_file',
          'track file',
          `${input.trackFile} cannot be written by this user`,
          'run carp-ovh as root, or set platform.track_file to a path root can write.',
        ),
  );

  const daemons = await findKeepalived(files, input.procDir ?? '/proc', input.defaultConf ?? DEFAULT_KEEPALIVED_CONF);
  const confPath = daemons[0]?.conf ?? input.defaultConf ?? DEFAULT_KEEPALIVED_CONF;
  checks.push(
    daemons.length > 0
      ? check('pass', 'keepalived.running', 'keepalived', `running (pid ${daemons.map((d) => d.pid).join(', ')}) with ${confPath}`)
      : check('fail', 'keepalived.running', 'keepalived', 'no keepalived process is running', 'start it: systemctl enable --now keepalived.'),
  );

  const conf = await parseKeepalivedConf(confPath, files);
  if (conf === null) {
    checks.push(
      check(
        'fail',
        'keepalived.config',
        'keepalived.conf',
        `cannot read ${confPath}`,
        'point keepalived at its configuration (keepalived -f FILE), or create it.',
      ),
    );
    return checks;
  }
  checks.push(
    conf.problems.length === 0
      ? check('pass', 'keepalived.config', 'keepalived.conf', `${conf.files.length} file(s) read from ${confPath}`)
      : check(
          'warn',
          'keepalived.config',
          'keepalived.conf',
          conf.problems.slice(0, 3).join('; '),
          'fix these lines; keepalived -t -f FILE checks the whole configuration.',
        ),
  );

  const blocks = trackFiles(conf);
  const ours = [...blocks.entries()].find(([, block]) => block.file === input.trackFile);
  checks.push(
    ours !== undefined
      ? check(
          'pass',
          'keepalived.snippet',
          'track_file block',
          `track_file ${ours[0]} watches ${input.trackFile} (weight ${ours[1].weight})${conf.files.includes(SNIPPET_PATH) ? `, from ${SNIPPET_PATH}` : ''}`,
        )
      : check(
          'fail',
          'keepalived.snippet',
          'track_file block',
          `no track_file block watches ${input.trackFile}: carp-ovh's demotion never reaches keepalived`,
          `add "include ${SNIPPET_PATH}" at the top level of ${confPath} (carp-ovh install writes it), then systemctl reload keepalived.`,
        ),
  );

  const scriptUser = findAll(conf.nodes, 'script_user')[0]?.args[0] ?? null;
  const security = findAll(conf.nodes, 'enable_script_security').length > 0;
  checks.push(
    scriptUser === 'root' && security
      ? check('pass', 'keepalived.script_user', 'notify runs as', 'root, with enable_script_security')
      : check(
          'warn',
          'keepalived.script_user',
          'notify runs as',
          `script_user ${scriptUser ?? '(unset: keepalived_script if that user exists, else root)'}${security ? '' : ', enable_script_security off'}`,
          'set "script_user root" and "enable_script_security" in global_defs: carp-ovh writes its state and the track file as root.',
        ),
  );

  for (const entry of input.entries) {
    const name = entry.vrrpInstance ?? '?';
    const instance = instanceNamed(conf, name);
    const id = (what: string): string => `keepalived.${what}:${name}`;
    if (instance === undefined) {
      checks.push(
        check(
          'fail',
          id('instance'),
          `vrrp_instance ${name}`,
          `no vrrp_instance ${name} in ${confPath}`,
          'correct failover[].vrrp_instance to the name in keepalived.conf.',
        ),
      );
      continue;
    }
    checks.push(...instanceChecks(instance, entry, name, input, blocks, ours?.[0] ?? null, id));
  }
  return checks;
}

/** The systemd unit install writes: present, running programs that exist, enabled. */
async function timerCheck(files: FilePort, cliPath: string, root: string): Promise<Check> {
  const id = 'install.timer';
  const title = 'check timer';
  const unit = await files.readText(underRoot(root, UNIT_PATH));
  if (unit === null) {
    return {
      id,
      group: 'install',
      status: 'fail',
      title,
      detail: `${UNIT_PATH} is missing: nothing runs carp-ovh check, so a router that loses Vault or the OVH API is never demoted`,
      fix: 'run carp-ovh install, then systemctl daemon-reload && systemctl enable --now carp-ovh-check.service.',
    };
  }
  const words = /^ExecStart=(.*)$/m.exec(unit)?.[1]?.trim().split(/\s+/) ?? [];
  // node, then the CLI: node's own flags (the unit's heap settings) stand between them.
  const exec = [words[0] ?? '', words.slice(1).find((word) => !word.startsWith('-')) ?? ''];
  const missing: string[] = [];
  for (const word of exec) if (!isAbsolute(word) || (await files.stat(word)) === null) missing.push(word);
  if (missing.length > 0) {
    return {
      id,
      group: 'install',
      status: 'fail',
      title,
      detail: `${UNIT_PATH} runs ${missing.join(' and ')}, which ${missing.length === 1 ? 'does' : 'do'} not exist`,
      fix: 'run carp-ovh install again (it writes the current paths), then systemctl daemon-reload.',
    };
  }
  if ((await files.stat(underRoot(root, UNIT_WANTS))) === null) {
    return {
      id,
      group: 'install',
      status: 'warn',
      title,
      detail: `${UNIT_PATH} is installed but not enabled`,
      fix: 'systemctl daemon-reload && systemctl enable --now carp-ovh-check.service.',
    };
  }
  return {
    id,
    group: 'install',
    status: 'pass',
    title,
    detail: `${UNIT_PATH} (enabled) runs ${exec[1] === cliPath ? 'this carp-ovh' : (exec[1] ?? '?')} check --every`,
  };
}

function instanceChecks(
  instance: ConfNode,
  entry: { interface: string; addresses: string[] },
  name: string,
  input: KeepalivedDoctorInput,
  blocks: Map<string, { file: string | null; weight: number }>,
  ourBlock: string | null,
  id: (what: string) => string,
): Check[] {
  const checks: Check[] = [];
  const iface = child(instance, 'interface')?.args[0] ?? null;
  const vips = virtualAddresses(instance);
  const missing = entry.addresses.filter((address) => !vips.some((vip) => vip.address === address && (vip.dev ?? iface) === entry.interface));
  checks.push(
    missing.length === 0
      ? check('pass', id('instance'), `vrrp_instance ${name}`, `${entry.addresses.join(', ')} on ${entry.interface} while MASTER`)
      : check(
          'fail',
          id('instance'),
          `vrrp_instance ${name}`,
          `${missing.join(', ')} not in its virtual_ipaddress on ${entry.interface}: carp-ovh reads MASTER from those addresses being there`,
          `list ${missing.join(', ')}/32 dev ${entry.interface} in vrrp_instance ${name}'s virtual_ipaddress, or correct failover[].interface.`,
        ),
  );

  const notify = child(instance, 'notify');
  const words = notify?.args.flatMap((arg) => arg.split(/\s+/)).filter((word) => word !== '') ?? [];
  const hookAt = words.indexOf('hook');
  if (notify === undefined || hookAt === -1) {
    checks.push(
      check(
        'fail',
        id('notify'),
        `notify of ${name}`,
        notify === undefined ? 'no notify line: keepalived never tells carp-ovh' : `notify runs ${words.join(' ')}, not carp-ovh hook`,
        `add "include ${INSTANCE_SNIPPET_PATH}" inside vrrp_instance ${name}, then systemctl reload keepalived.`,
      ),
    );
  } else {
    const program = words.slice(0, hookAt);
    const relative = program.filter((word) => !isAbsolute(word));
    const runsUs = program.includes(input.cliPath);
    checks.push(
      relative.length > 0
        ? check(
            'fail',
            id('notify'),
            `notify of ${name}`,
            `notify runs ${program.join(' ')}: not an absolute path`,
            'keepalived runs notify without a shell or PATH: give absolute paths (carp-ovh install writes them).',
          )
        : runsUs
          ? check('pass', id('notify'), `notify of ${name}`, `runs ${program.join(' ')} hook`)
          : check(
              'warn',
              id('notify'),
              `notify of ${name}`,
              `runs ${program.join(' ')} hook, not this carp-ovh (${input.cliPath})`,
              'run carp-ovh install again after moving or upgrading carp-ovh.',
            ),
    );
  }

  // Demotion: the instance must watch our track file, and the weight must take it below the peer.
  const priority = Number(child(instance, 'priority')?.args[0] ?? '100');
  const references = (child(instance, 'track_file')?.children ?? []).map((line) => {
    const weightAt = line.args.indexOf('weight');
    return { name: line.keyword, weight: weightAt === -1 ? null : Number(line.args[weightAt + 1]) };
  });
  const reference = references.find((ref) => ref.name === ourBlock);
  if (ourBlock === null || reference === undefined) {
    checks.push(
      check(
        'fail',
        id('weight'),
        `demotion of ${name}`,
        `vrrp_instance ${name} does not track ${input.trackFile}: a demotion changes nothing`,
        `add "include ${INSTANCE_SNIPPET_PATH}" inside vrrp_instance ${name}.`,
      ),
    );
  } else {
    const weight = reference.weight ?? blocks.get(ourBlock)?.weight ?? 1;
    const demoted = demotedPriority(priority, weight, input.share);
    const facts = `priority ${priority}, track file ${input.share} × weight ${weight}`;
    if (priority === 255) {
      checks.push(
        check(
          'fail',
          id('weight'),
          `demotion of ${name}`,
          `${facts}: an address owner (priority 255) cannot be demoted`,
          `lower vrrp_instance ${name}'s priority below 255 (or use weight 0: FAULT while demoted).`,
        ),
      );
    } else if (demoted === 'FAULT') {
      checks.push(
        check(
          'warn',
          id('weight'),
          `demotion of ${name}`,
          `${facts}: keepalived puts the instance in FAULT while demoted, so if both routers are demoted neither holds the VIP`,
          `use weight ${-Math.floor(253 / input.share)} (the lowest priority without FAULT).`,
        ),
      );
    } else if (demoted >= priority) {
      checks.push(
        check(
          'fail',
          id('weight'),
          `demotion of ${name}`,
          `${facts}: the priority does not go down (${demoted})`,
          'make the weight negative, e.g. weight -253.',
        ),
      );
    } else if (demoted > 1) {
      checks.push(
        check(
          'warn',
          id('weight'),
          `demotion of ${name}`,
          `${facts}: demoted, it advertises ${demoted}; a peer configured at ${demoted} or lower does not take over`,
          `make the weight ${-Math.floor(253 / input.share)} so a demoted router advertises 1, below any peer.`,
        ),
      );
    } else {
      checks.push(check('pass', id('weight'), `demotion of ${name}`, `${facts}: demoted, it advertises 1, below any peer`));
    }
  }

  const nopreempt = child(instance, 'nopreempt') !== undefined;
  const delay = child(instance, 'preempt_delay')?.args[0];
  checks.push(
    nopreempt
      ? check(
          'warn',
          id('preempt'),
          `preemption of ${name}`,
          'nopreempt: this router never takes over from a peer that is MASTER, even when that peer is demoted and cannot claim the failover IPs; ' +
            'the VIP then stays where OVH cannot be told to route it',
          `remove nopreempt from vrrp_instance ${name} (preempt_delay softens a flapping peer instead).`,
        )
      : check(
          'pass',
          id('preempt'),
          `preemption of ${name}`,
          delay === undefined ? 'on: a healthier peer takes over at once' : `on, after preempt_delay ${delay} s`,
        ),
  );
  return checks;
}
