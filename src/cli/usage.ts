export const USAGE = `usage: carp-ovh [--config PATH] <command> [options]

commands:
  hook <vhid@iface> <MASTER|BACKUP|INIT> [--wait]   devd entry: claim the VIPs of a new MASTER
  reconcile [--wait]                               claim every VIP whose vhid is MASTER here
  config check                                     validate the configuration file

global options:
  --config PATH   configuration file (default /usr/local/etc/carp-ovh.yaml, env CARP_OVH_CONFIG)
  --help          this text
  --version       print the version

exit codes: 0 ok, 1 failed, 2 bad input (arguments or configuration)
`;
