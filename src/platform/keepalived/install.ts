import { INSTANCE_SNIPPET_PATH, instanceSnippet, SNIPPET_PATH, topLevelSnippet, type SnippetOptions } from './snippet.ts';

/**
 * What `carp-ovh install` writes on a keepalived router, and what the operator
 * does next. keepalived.conf itself is the operator's: carp-ovh never edits it,
 * it prints the two `include` lines to add.
 */

export const SYSTEMD_UNIT_PATH = '/etc/systemd/system/carp-ovh-check.service';
export const DEFAULT_TRACK_FILE = '/run/carp-ovh/track';

export interface KeepalivedFile {
  path: string;
  content: string;
  mode: number;
  source: string;
}

export function keepalivedSnippetFiles(options: SnippetOptions): KeepalivedFile[] {
  return [
    { path: SNIPPET_PATH, content: topLevelSnippet(options), mode: 0o644, source: 'keepalived snippet (track_file)' },
    { path: INSTANCE_SNIPPET_PATH, content: instanceSnippet(options), mode: 0o644, source: 'keepalived snippet (notify, in each vrrp_instance)' },
  ];
}

export function keepalivedNextSteps(timer: string): string[] {
  const out = [
    '  add to /etc/keepalived/keepalived.conf (carp-ovh never edits it):',
    `    include ${SNIPPET_PATH}                 # once, at the top level`,
    `    include ${INSTANCE_SNIPPET_PATH}        # inside each vrrp_instance carp-ovh follows`,
    '  and in its global_defs: script_user root, enable_script_security',
    '  systemctl reload keepalived      # keepalived reads its configuration again',
  ];
  if (timer === 'systemd') out.push('  systemctl daemon-reload && systemctl enable --now carp-ovh-check.service');
  return out;
}

export function keepalivedUninstallSteps(timer: string): string[] {
  const out = [`  remove the include lines of ${SNIPPET_PATH} and ${INSTANCE_SNIPPET_PATH} from keepalived.conf, then: systemctl reload keepalived`];
  // The unit file is gone, but systemd keeps running the loaded unit until told.
  if (timer === 'systemd') out.push('  systemctl disable --now carp-ovh-check.service; systemctl daemon-reload');
  return out;
}
