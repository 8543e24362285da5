import { CarpOvhError } from '../../errors.ts';
import { isOpenBsdInterface } from './names.ts';

/**
 * What `carp-ovh install` writes on an OpenBSD router, and what the operator
 * does next. ifstated.conf(5) has no `include` (its grammar is macros, global
 * settings, actions and states), so carp-ovh cannot hand the operator's
 * /etc/ifstated.conf a section to include. Instead carp-ovh runs an ifstated of
 * its own (`ifstated -f /etc/carp-ovh/ifstated.conf`, rc.d script carp_ovh_ifstated)
 * beside any ifstated the operator runs: ifstated takes its file with -f, keeps no
 * pid file or lock, and runs top-level `if` actions with no state defined.
 *
 * ifstated's `run` takes a fixed command (no variables), so the file has one
 * `run` line per carp interface and link state. carp(4) reports MASTER as link
 * up and BACKUP as link down; INIT is link state invalid, which ifstated tests as
 * down, while ifstated.conf(5) calls the carp init state `unknown`: both run the
 * BACKUP hook, which reads the real state from ifconfig again before it acts.
 */

export const IFSTATED_SECTION_PATH = '/etc/carp-ovh/ifstated.conf';
export const OPENBSD_RC_SCRIPT_PATH = '/etc/rc.d/carp_ovh';
/** The rc.d script of carp-ovh's own ifstated. */
export const OPENBSD_IFSTATED_RC_PATH = '/etc/rc.d/carp_ovh_ifstated';
export const OPENBSD_IFSTATED = '/usr/sbin/ifstated';
/** The carp interfaces of the sample configuration: what install watches before a configuration exists. */
export const OPENBSD_SAMPLE_INTERFACES: readonly string[] = ['carp0'];

export interface OpenBsdInstallOptions {
  node: string;
  cli: string;
  /** ` --config PATH`, or '' for the default. */
  configArg: string;
  /** The carp interfaces of the failover entries (carp0, …). */
  interfaces: string[];
  /** check --every interval for the rc.d script. */
  every?: string;
}

export interface OpenBsdFile {
  path: string;
  content: string;
  mode: number;
  source: string;
}

/** ifstated reads `run "…"` up to the next double quote, then hands it to /bin/sh -c. */
function safeForRun(word: string, what: string): string {
  if (!/^[A-Za-z0-9_./@%+=:,-]+$/.test(word)) {
    throw new CarpOvhError(`${what} ${JSON.stringify(word.slice(0, 80))} cannot go into an ifstated run line: use a path of letters, digits and ./_-`, {
      source: 'config',
      badInput: true,
    });
  }
  return word;
}

export function ifstatedSection(options: OpenBsdInstallOptions): string {
  const interfaces = [...new Set(options.interfaces)];
  for (const iface of interfaces) {
    if (!isOpenBsdInterface(iface))
      throw new CarpOvhError(`failover[].interface ${JSON.stringify(iface)} is not a carp interface name`, { source: 'config', badInput: true });
  }
  const words = [safeForRun(options.node, 'node'), safeForRun(options.cli, 'the carp-ovh CLI')];
  for (const word of options.configArg
    .trim()
    .split(/\s+/)
    .filter((w) => w !== ''))
    words.push(safeForRun(word, 'the configuration path'));
  const command = words.join(' ');
  const blocks = interfaces.map((iface) =>
    [
      `# ${iface}: MASTER is link up; BACKUP is link down; INIT is down or unknown.`,
      `if ${iface}.link.up`,
      `\trun "${command} hook ${iface} MASTER"`,
      `if ${iface}.link.down`,
      `\trun "${command} hook ${iface} BACKUP"`,
      `if ${iface}.link.unknown`,
      `\trun "${command} hook ${iface} BACKUP"`,
    ].join('\n'),
  );
  return `# carp-ovh's ifstated configuration: tells carp-ovh about every CARP state change (it
# claims the failover IP on MASTER, and drops its alias on BACKUP). Written by
# \`carp-ovh install\`, removed by \`carp-ovh uninstall\`. Its own ifstated runs it:
#   ${OPENBSD_IFSTATED} -f ${IFSTATED_SECTION_PATH}   (rcctl enable carp_ovh_ifstated)
# so /etc/ifstated.conf stays yours (ifstated.conf has no include).
# ifstated's run takes no variables: one line per interface and state.
${blocks.join('\n\n')}
`;
}

/** The rc.d script that runs carp-ovh's own ifstated on its own file. */
export function openBsdIfstatedRcScript(): string {
  return `#!/bin/ksh
#
# carp-ovh's own ifstated(8), on ${IFSTATED_SECTION_PATH}: it runs carp-ovh hook on every
# CARP state change. It runs beside any ifstated of yours (/etc/ifstated.conf is not read).
# Written by \`carp-ovh install\`.
#   rcctl enable carp_ovh_ifstated && rcctl start carp_ovh_ifstated

daemon="${OPENBSD_IFSTATED}"
daemon_flags="-f ${IFSTATED_SECTION_PATH}"

. /etc/rc.d/rc.subr

rc_cmd $1
`;
}

export function openBsdRcScript(options: OpenBsdInstallOptions): string {
  const flags = [
    // A 1 MiB young generation and a 64 MiB heap cap, as the FreeBSD rc.d script (docs/health.md, "Memory").
    '--max-semi-space-size=1',
    '--max-old-space-size=64',
    options.cli,
    ...options.configArg
      .trim()
      .split(/\s+/)
      .filter((w) => w !== ''),
    'check',
    '--every',
    options.every ?? '10s',
  ];
  return `#!/bin/ksh
#
# carp-ovh health checks in a loop (\`carp-ovh check --every\`): they raise carp-ovh's share
# of the carp group's demote counter while a check fails. Written by \`carp-ovh install\`.
#   rcctl enable carp_ovh && rcctl start carp_ovh
# The loop logs to syslog itself and finishes the check in progress on SIGTERM.

daemon="${options.node}"
daemon_flags="${flags.join(' ')}"

. /etc/rc.d/rc.subr

rc_bg=YES
rc_reload=NO

rc_cmd $1
`;
}

export function openBsdInstallFiles(options: OpenBsdInstallOptions, withTimer: boolean): OpenBsdFile[] {
  const files: OpenBsdFile[] = [
    { path: IFSTATED_SECTION_PATH, content: ifstatedSection(options), mode: 0o644, source: 'ifstated configuration (run lines for carp-ovh hook)' },
    { path: OPENBSD_IFSTATED_RC_PATH, content: openBsdIfstatedRcScript(), mode: 0o555, source: "rc.d script (carp-ovh's ifstated)" },
  ];
  if (withTimer) files.push({ path: OPENBSD_RC_SCRIPT_PATH, content: openBsdRcScript(options), mode: 0o555, source: 'rc.d script (check --every)' });
  return files;
}

export function openBsdNextSteps(timer: string): string[] {
  const out = [
    `  rcctl enable carp_ovh_ifstated && rcctl start carp_ovh_ifstated   # carp-ovh's own ifstated, on ${IFSTATED_SECTION_PATH}`,
    '  (it runs beside yours: /etc/ifstated.conf is not touched; remove from it the lines carp-ovh replaces:',
    '   the failover IP alias, ipmoveOvh or another failover script, carpdemote on a failed check)',
    '  and in /etc/pf.conf, if it is not there yet: pass on vio2 proto carp   (the carpdev), then pfctl -f /etc/pf.conf',
  ];
  if (timer === 'rc.d') out.push('  rcctl enable carp_ovh && rcctl start carp_ovh    # the health checks');
  return out;
}

export function openBsdUninstallSteps(timer: string): string[] {
  const out = ["  (stop carp-ovh's ifstated first: rcctl stop carp_ovh_ifstated; rcctl disable carp_ovh_ifstated)"];
  if (timer === 'rc.d') out.push('  (and the checks if they run: rcctl stop carp_ovh; rcctl disable carp_ovh)');
  return out;
}

/**
 * The configuration install writes on an OpenBSD router where none exists yet:
 * valid as it stands (its failover entry names carp0, the interface
 * the ifstated section then watches), every value an example to replace.
 */
export const OPENBSD_SAMPLE_CONFIG = `# carp-ovh configuration for an OpenBSD router (sample written by carp-ovh install).
# Edit every value for this router, then run carp-ovh install again (the ifstated
# section names the carp interfaces of failover[]) and carp-ovh doctor.
# Reference: docs/configuration.md and docs/operations.md (OpenBSD).

ovh:
  endpoint: ovh-eu
  credentials:
    # OVH keys from Vault through a secretsmith file (mode 0600), or file: a local YAML file.
    vault:
      config: /etc/carp-ovh/carp-secretsmith.yaml
      mount: apps
      path: network/carp-edge

# One entry per carp interface whose failover IPs follow the MASTER.
failover:
  - interface: ${OPENBSD_SAMPLE_INTERFACES[0]}
    addresses: [146.59.143.231]
    # Public Cloud: the project (serviceName) and this instance, by name or id.
    via: cloud
    project: 0123456789abcdef
    instance: edge-1
    # CARP talks on the private network; the failover IP lives on the external NIC.
    alias: { interface: vio0 }

platform:
  kind: openbsd
  ifconfig: /sbin/ifconfig
  sysctl: /sbin/sysctl

health:
  scripts: /etc/carp-ovh/service-status.d
  # What carp-ovh adds to the carp group's demote counter while a check fails (1..128).
  demotion: 16

state_dir: /var/db/carp-ovh

log:
  level: info
  syslog: { tag: carp-ovh, facility: daemon }
`;
