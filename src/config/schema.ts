/**
 * JSON Schema of the YAML configuration (layer 1 of 3: schema → normalise → rules).
 * Keys may be added, never renamed: operators' files outlive releases.
 * `description` strings double as the "expected" part of error messages.
 */

const duration = {
  description: 'a duration such as 500ms, 1s, 5m (a bare number means seconds)',
  anyOf: [
    { type: 'number', minimum: 0 },
    { type: 'string', pattern: '^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$' },
  ],
} as const;

const absolutePath = {
  type: 'string',
  pattern: '^/',
  description: 'an absolute path',
} as const;

const ipv4 = {
  type: 'string',
  format: 'ipv4',
  description: 'an IPv4 address such as 51.68.252.230',
} as const;

const iface = {
  type: 'string',
  pattern: '^[a-z][a-z0-9_.]*$',
  maxLength: 15,
  description: 'an interface name such as vmx1 (lowercase letters, digits, _ and ., at most 15 characters)',
} as const;

export const configSchema = {
  $id: 'https://carp-ovh.invalid/config.schema.json',
  type: 'object',
  additionalProperties: false,
  required: ['ovh', 'failover'],
  properties: {
    ovh: {
      type: 'object',
      additionalProperties: false,
      required: ['credentials'],
      properties: {
        endpoint: {
          type: 'string',
          enum: ['ovh-eu', 'ovh-ca', 'ovh-us', 'kimsufi-eu', 'kimsufi-ca', 'soyoustart-eu', 'soyoustart-ca'],
          description: 'one of ovh-eu, ovh-ca, ovh-us, kimsufi-eu, kimsufi-ca, soyoustart-eu, soyoustart-ca',
        },
        url: {
          type: 'string',
          pattern: '^https://[^/\\s]+(/[^\\s]*)?$',
          description: 'an https:// API root such as https://eu.api.ovh.com/1.0',
        },
        ca: absolutePath,
        timeout: { ...duration, default: '10s' },
        poll_interval: { ...duration, default: '1s' },
        deadline: { ...duration, default: '180s' },
        max_rpm: { type: 'integer', minimum: 1, maximum: 6000, default: 60, description: 'requests per minute, an integer from 1 to 6000' },
        retries: { type: 'integer', minimum: 0, maximum: 10, default: 3, description: 'an integer from 0 to 10' },
        credentials: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          maxProperties: 1,
          description: 'exactly one of vault or file',
          properties: {
            vault: {
              type: 'object',
              additionalProperties: false,
              required: ['config', 'mount', 'path'],
              properties: {
                config: absolutePath,
                mount: { type: 'string', pattern: '^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$', description: 'a Vault mount such as apps' },
                path: { type: 'string', pattern: '^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$', description: 'a secret path such as network/carp-hyper-001-switch' },
                kv_version: { type: 'integer', enum: [1, 2], default: 2, description: '1 or 2' },
                timeout: { ...duration, default: '5s' },
                allow_env_skip_verify: { type: 'boolean', default: false, description: 'true or false' },
              },
            },
            file: absolutePath,
          },
        },
      },
    },
    failover: {
      type: 'array',
      minItems: 1,
      description: 'a list of failover entries',
      items: {
        type: 'object',
        additionalProperties: false,
        // Which of vhid, vrrp_instance, server, project, instance an entry needs depends on
        // platform.kind and via: src/config/rules.ts says so with the key's line.
        required: ['interface', 'addresses'],
        properties: {
          vhid: { type: 'integer', minimum: 1, maximum: 255, description: 'an integer from 1 to 255' },
          interface: iface,
          addresses: { type: 'array', minItems: 1, items: ipv4, description: 'a non-empty list of IPv4 addresses' },
          via: { type: 'string', enum: ['virtual-mac', 'ip-move', 'cloud'], default: 'virtual-mac', description: 'one of virtual-mac, ip-move, cloud' },
          server: {
            type: 'string',
            pattern: '^[A-Za-z0-9][A-Za-z0-9.-]*$',
            description: 'the OVH service name of the dedicated server, such as ns3000000.ip-1-2-3.eu',
          },
          vm_name: { type: 'string', minLength: 1, maxLength: 64, description: 'a virtual machine name (1 to 64 characters)' },
          mac: {
            type: 'string',
            pattern: '^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$',
            description: 'a MAC address such as 00:50:56:09:3c:f2',
          },
          vrrp_instance: {
            type: 'string',
            pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$',
            description: 'a keepalived vrrp_instance name such as VI_1 (letters, digits, _ . -, at most 64 characters)',
          },
          project: { type: 'string', pattern: '^[A-Za-z0-9]{1,64}$', description: 'a Public Cloud project id (serviceName) such as 0123456789abcdef' },
          instance: {
            type: 'string',
            pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$',
            description: 'a Public Cloud instance name or id (letters, digits, _ . -)',
          },
          nexthop: { ...ipv4, description: 'an IPv4 address such as 51.68.252.254' },
          alias: {
            type: 'object',
            additionalProperties: false,
            required: ['interface'],
            description: 'a mapping with the interface the VIP is added to as a /32 alias',
            properties: { interface: iface },
          },
        },
      },
    },
    platform: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        // No default here: it comes from the host (src/config/platform-kinds.ts).
        kind: { type: 'string', enum: ['freebsd', 'openbsd', 'keepalived'], description: 'one of freebsd, openbsd, keepalived' },
        ifconfig: { ...absolutePath, default: '/sbin/ifconfig' },
        sysctl: { ...absolutePath, default: '/sbin/sysctl' },
        ip: { ...absolutePath, default: '/sbin/ip' },
        track_file: { ...absolutePath, default: '/run/carp-ovh/track' },
        timeout: { ...duration, default: '5s' },
      },
    },
    health: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        scripts: { ...absolutePath, default: '/usr/local/etc/rc.carp_service_status.d' },
        // The default and tighter bounds depend on platform.kind (src/config/platform-kinds.ts).
        demotion: {
          type: 'integer',
          minimum: 1,
          maximum: 1073741824,
          description: 'an integer such as 1048576 (2^20, FreeBSD), 16 (OpenBSD) or 1 (keepalived)',
        },
        fall: { type: 'integer', minimum: 1, maximum: 100, default: 1, description: 'an integer from 1 to 100' },
        rise: { type: 'integer', minimum: 1, maximum: 100, default: 1, description: 'an integer from 1 to 100' },
        claim_hold: { ...duration, default: '5m' },
        probe_timeout: { ...duration, default: '10s' },
        script_timeout: { ...duration, default: '10s' },
        ovh_interval: { ...duration, default: '1m' },
        claim_interval: { ...duration, default: '1m' },
        platform_interval: { ...duration, default: '1m' },
        secret_refresh: { ...duration, default: '1h' },
      },
    },
    state_dir: { ...absolutePath, default: '/var/db/carp-ovh' },
    metrics: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        textfile: {
          type: 'string',
          pattern: '^/.*[^/]\\.prom$',
          description: "an absolute path ending in .prom, such as /var/tmp/node_exporter/carp_ovh.prom (node_exporter's textfile directory)",
        },
        listen: {
          type: 'string',
          pattern: '^(\\[[0-9A-Fa-f:.]+\\]|[0-9.]+|localhost):[0-9]{1,5}$',
          description: 'an address and port such as 127.0.0.1:9742 or [::1]:9742',
        },
      },
    },
    notify: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        scripts: {
          description: 'a directory of executables, or a list of executables (absolute paths)',
          anyOf: [absolutePath, { type: 'array', items: absolutePath, maxItems: 32 }],
        },
        timeout: { ...duration, default: '30s' },
        max_running: { type: 'integer', minimum: 1, maximum: 64, default: 8, description: 'an integer from 1 to 64' },
      },
    },
    log: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        level: {
          type: 'string',
          enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace'],
          default: 'info',
          description: 'one of fatal, error, warn, info, debug, trace',
        },
        syslog: {
          description: 'false, or a mapping with tag, facility and logger',
          default: {},
          anyOf: [
            { const: false },
            {
              // No defaults in here: ajv does not apply them inside anyOf (normalise.ts does).
              type: 'object',
              additionalProperties: false,
              properties: {
                tag: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,32}$', description: 'a syslog tag (letters, digits, _ . -)' },
                facility: {
                  type: 'string',
                  enum: ['daemon', 'user', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7'],
                  description: 'one of daemon, user, local0 … local7',
                },
                logger: absolutePath,
              },
            },
          ],
        },
        file: absolutePath,
      },
    },
  },
} as const;
