/**
 * The keepalived.conf pieces `carp-ovh install` writes, each to its own file so
 * the operator's keepalived.conf gains two `include` lines and nothing else:
 *
 *   - carp-ovh.conf, at the top level: the `track_file` block naming the file
 *     carp-ovh writes its demotion to, and how much priority it is worth;
 *   - carp-ovh-instance.conf, inside each vrrp_instance carp-ovh follows: the
 *     `notify` line running `carp-ovh hook` and the reference to that track file.
 *
 * keepalived splices an included file in where the `include` stands, so the
 * second one may sit inside a vrrp_instance block.
 */

export const SNIPPET_PATH = '/etc/keepalived/carp-ovh.conf';
export const INSTANCE_SNIPPET_PATH = '/etc/keepalived/carp-ovh-instance.conf';
/** The name of the track_file block: what the instance's `track_file { }` refers to. */
export const TRACK_NAME = 'carp_ovh';

/**
 * keepalived adds value × weight to the configured priority and clamps the
 * result to 1..254, but puts the instance in FAULT below -253. The weight is
 * chosen so the share written while demoted takes the priority as low as it
 * goes (1) without reaching FAULT: below any peer's, whatever the gap, and the
 * pair still elects a MASTER when both are demoted.
 */
export function defaultWeight(share: number): number {
  return -Math.max(1, Math.floor(253 / share));
}

export interface SnippetOptions {
  node: string;
  cli: string;
  /** ` --config PATH`, or '' for the default. */
  configArg: string;
  trackFile: string;
  share: number;
}

/** keepalived reads `\` as an escape and `"` as a quote inside a word. */
function quoteWord(word: string): string {
  return word.replace(/(["\\ ])/g, '\\$1');
}

export function topLevelSnippet(options: SnippetOptions): string {
  return `# carp-ovh: the track file carp-ovh writes its demotion to (1 while a health reason holds, else 0).
# Written by \`carp-ovh install\`, removed by \`carp-ovh uninstall\`. Include it once, at the top
# level of keepalived.conf:
#   include ${SNIPPET_PATH}
# and ${INSTANCE_SNIPPET_PATH} inside each vrrp_instance carp-ovh follows.
# keepalived adds value x weight to the instance's priority: ${options.share} x ${defaultWeight(options.share)} takes it to the
# lowest priority (1), below any peer's, without reaching FAULT.
# notify runs carp-ovh as root: keep script_user root and enable_script_security in global_defs.
track_file ${TRACK_NAME} {
  file ${quoteWord(options.trackFile)}
  weight ${defaultWeight(options.share)}
  init_file 0
}
`;
}

export function instanceSnippet(options: SnippetOptions): string {
  const words = [
    options.node,
    options.cli,
    'hook',
    ...options.configArg
      .trim()
      .split(/\s+/)
      .filter((word) => word !== ''),
  ].map(quoteWord);
  return `# carp-ovh: include inside each vrrp_instance whose failover IPs carp-ovh moves:
#   vrrp_instance VI_1 {
#     ...
#     include ${INSTANCE_SNIPPET_PATH}
#   }
# Written by \`carp-ovh install\`, removed by \`carp-ovh uninstall\`.
# keepalived appends INSTANCE <name> <MASTER|BACKUP|FAULT|STOP> <priority> to the notify command;
# the hook hands the event to a background claim and returns at once.
notify "${words.join(' ')}"
track_file {
  ${TRACK_NAME}
}
`;
}
