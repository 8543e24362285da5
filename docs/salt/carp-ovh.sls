# carp-ovh on the routers (role router) — a Salt state example.
#
# Pillar (per router), e.g. pillar/roles/router/carp-ovh.sls:
#   carp_ovh:
#     version: 0.1.0
#     vm_name: router-002
#     vhid: 2
#     interface: vmx1
#     vips: [51.68.252.230]
#     server: ns3000000.ip-1-2-3.eu
#     vault:
#       url: https://172.27.27.7:8200
#       ca: /usr/local/share/certs/nasqueron-vault-ca.crt
#       role_id: ...        # from ops/secrets/network/router/vault
#       secret_id: ...
{% set carp = salt['pillar.get']('carp_ovh') %}
{% set node = '/usr/local/bin/node' %}
{% set cli = '/usr/local/lib/node_modules/carp-ovh/dist/cli.js' %}

carp_ovh_node:
  pkg.installed:
    - pkgs:
      - node22
      - npm-node22

carp_ovh_package:
  npm.installed:
    - name: carp-ovh@{{ carp.version }}
    - require:
      - pkg: carp_ovh_node

# A demoted MASTER is only replaced when the BACKUP preempts.
net.inet.carp.preempt:
  sysctl.present:
    - value: 1

/usr/local/etc/secrets:
  file.directory:
    - user: root
    - mode: '0700'

/usr/local/etc/secrets/carp-secretsmith.yaml:
  file.managed:
    - user: root
    - mode: '0600'
    - show_changes: False
    - contents: |
        vault:
          server: { url: {{ carp.vault.url }}, verify: {{ carp.vault.ca }} }
          auth: { method: approle, role_id: "{{ carp.vault.role_id }}", secret_id: "{{ carp.vault.secret_id }}" }
    - require:
      - file: /usr/local/etc/secrets

# Managed by Salt, so install finds it in place and leaves it alone.
/usr/local/etc/carp-ovh.yaml:
  file.managed:
    - user: root
    - mode: '0644'
    - contents: |
        ovh:
          endpoint: ovh-eu
          credentials:
            vault:
              config: /usr/local/etc/secrets/carp-secretsmith.yaml
              mount: apps
              path: network/carp-hyper-001-switch
        failover:
          - vhid: {{ carp.vhid }}
            interface: {{ carp.interface }}
            addresses: [{{ carp.vips | join(', ') }}]
            via: virtual-mac
            server: {{ carp.server }}
            vm_name: {{ carp.vm_name }}
        state_dir: /var/db/carp-ovh
        log:
          level: info
          syslog: { tag: carp-ovh, facility: daemon }

carp_ovh_config_check:
  cmd.run:
    - name: {{ node }} {{ cli }} config check
    - onchanges:
      - file: /usr/local/etc/carp-ovh.yaml
      - npm: carp_ovh_package

# The devd rule, the cron line and the service-status scripts, with absolute paths.
# Run again when the package changes (its paths may have); install is idempotent.
carp_ovh_install:
  cmd.run:
    - name: {{ node }} {{ cli }} install
    - onchanges:
      - npm: carp_ovh_package
    - require:
      - cmd: carp_ovh_config_check

devd:
  service.running:
    - enable: True
    - watch:
      - cmd: carp_ovh_install

# Last: any FAIL fails the highstate, with the fix in the output.
carp_ovh_doctor:
  cmd.run:
    - name: {{ node }} {{ cli }} doctor
    - require:
      - service: devd
      - sysctl: net.inet.carp.preempt
      - file: /usr/local/etc/secrets/carp-secretsmith.yaml
