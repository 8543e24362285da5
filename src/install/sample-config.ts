/**
 * Written by `install` where no configuration exists yet (never over one). It
 * is valid as it stands so `config check` passes, but every value is the
 * Nasqueron example: doctor fails until the operator puts in this router's own.
 */
export const SAMPLE_CONFIG = `# carp-ovh configuration (sample written by carp-ovh install).
# Edit every value for this router, then run: carp-ovh doctor
# Reference: docs/configuration.md in the carp-ovh package.

ovh:
  # OVH API region (ovh-eu, ovh-ca, ovh-us, ...), or url: https://host/1.0
  endpoint: ovh-eu
  credentials:
    # OVH keys (application_key, application_secret, consumer_key) from Vault,
    # through the secretsmith file the routers already deploy (mode 0600).
    vault:
      config: /usr/local/etc/secrets/carp-secretsmith.yaml
      mount: apps
      path: network/carp-hyper-001-switch
    # Or a local YAML file with the three keys, mode 0600, instead of vault:
    # file: /usr/local/etc/carp-ovh/ovh-credentials.yaml

# One entry per CARP vhid whose failover IPs follow the MASTER.
failover:
  - vhid: 2
    interface: vmx1
    addresses: [51.68.252.230]
    via: virtual-mac
    # Service name of the dedicated server hosting both router VMs.
    server: ns3000000.ip-1-2-3.eu
    # Sent to OVH as virtualMachineName (optional).
    vm_name: router-002

platform:
  ifconfig: /sbin/ifconfig
  sysctl: /sbin/sysctl

health:
  # OPNsense-style service-status scripts: exit 0 = healthy.
  scripts: /usr/local/etc/rc.carp_service_status.d
  # The bit of net.inet.carp.demotion carp-ovh owns (2^20, as OPNsense).
  demotion: 1048576

state_dir: /var/db/carp-ovh

log:
  level: info
  syslog: { tag: carp-ovh, facility: daemon }
`;
