export const USAGE = `usage: carp-ovh [--config PATH] <command> [options]

commands:
  hook <vhid@iface> <MASTER|BACKUP|INIT> [--wait | --dry-run]
                                                   devd entry: claim the VIPs of a new MASTER
  reconcile [--wait | --dry-run]                   claim every VIP whose vhid is MASTER here
  check [--json] [--every DURATION]                run health probes and scripts, adjust demotion
  probe <vault|ovh-api|claim>                      run one probe (for OPNsense service-status scripts)
  maintenance <enter|leave>                        planned failover: step aside until the peer holds the VIP
  doctor [--json] [--root DIR]                     diagnose config, platform, Vault, OVH and placement
  status [--json | --watch]                        CARP states, VIP placement, demotion, last claim and check
  install [--dry-run] [--root DIR]                 write the devd rule, timer and hook scripts
  uninstall [--dry-run] [--root DIR]               remove what install wrote
  config check                                     validate the configuration file

global options:
  --config PATH   configuration file (default /usr/local/etc/carp-ovh.yaml, env CARP_OVH_CONFIG)
  --help          this text
  --version       print the version

exit codes: 0 ok, 1 failed, 2 bad input (arguments or configuration)
`;
