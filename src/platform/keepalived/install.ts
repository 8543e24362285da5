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

/**
 * Written by `install` on a keepalived router where no configuration exists yet
 * (never over one). Valid as it stands, so `config check` passes; every value is
 * an example, so doctor fails until the operator puts in this router's own.
 */
export function sampleKeepalivedConfig(trackFile: string): string {
  return `# carp-ovh configuration for a keepalived router (sample written by carp-ovh install).
# Edit every value for this router, then run: carp-ovh doctor
# Reference: docs/configuration.md and docs/operations.md (Linux with keepalived).

ovh:
  endpoint: ovh-eu
  credentials:
    # OVH keys from Vault through a secretsmith file (mode 0600), or file: a local YAML file.
    vault:
      config: /etc/carp-ovh/carp-secretsmith.yaml
      mount: apps
      path: network/carp-hyper-001-switch

# One entry per vrrp_instance whose failover IPs follow the MASTER. List the same
# IPs in the instance's virtual_ipaddress: carp-ovh reads MASTER from them.
failover:
  - vrrp_instance: VI_1
    interface: eth0
    addresses: [51.68.252.230]
    via: virtual-mac
    server: ns3000000.ip-1-2-3.eu

platform:
  kind: keepalived
  ip: /sbin/ip
  # The file named in /etc/keepalived/carp-ovh.conf's track_file block.
  track_file: ${trackFile}

health:
  # The number written to the track file while demoted (the snippet's weight turns it into priority).
  demotion: 1

state_dir: /var/lib/carp-ovh

log:
  level: info
  syslog: { tag: carp-ovh, facility: daemon }
`;
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
