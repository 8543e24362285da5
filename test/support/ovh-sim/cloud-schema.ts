/**
 * The models of OVH's published cloud schema (eu.api.ovh.com/1.0/cloud.json) the
 * simulator answers with, reduced to what a fit check needs: each property's type and
 * whether it may be null. `cloudModelProblems` lists what does not fit (empty: it fits).
 */

interface Property {
  type: string;
  canBeNull: boolean;
}

const p = (type: string, canBeNull = false): Property => ({ type, canBeNull });

const ENUMS: Record<string, readonly string[]> = {
  'cloud.ip.IpStatusEnum': ['ok', 'operationPending'],
  'cloud.ip.IpSubTypeEnum': ['cloud', 'ovh'],
  'cloud.instance.InstanceStatusEnum': [
    'ACTIVE',
    'BUILD',
    'BUILDING',
    'DELETED',
    'DELETING',
    'ERROR',
    'HARD_REBOOT',
    'MIGRATING',
    'PASSWORD',
    'PAUSED',
    'REBOOT',
    'REBUILD',
    'RESCUE',
    'RESCUED',
    'RESCUING',
    'RESIZE',
    'RESIZED',
    'RESUMING',
    'REVERT_RESIZE',
    'SHELVED',
    'SHELVED_OFFLOADED',
    'SHELVING',
    'SHUTOFF',
    'SNAPSHOTTING',
    'SOFT_DELETED',
    'STOPPED',
    'SUSPENDED',
    'UNKNOWN',
    'UNRESCUING',
    'UNSHELVING',
    'VERIFY_RESIZE',
  ],
  'cloud.instance.MonthlyBillingStatusEnum': ['activationPending', 'ok'],
  'cloud.flavor.CapabilityNameEnum': ['failoverip', 'resize', 'snapshot', 'volume'],
};

const MODELS: Record<string, Record<string, Property>> = {
  'cloud.ip.FailoverIp': {
    block: p('ip', true),
    continentCode: p('string', true),
    geoloc: p('string', true),
    id: p('string'),
    ip: p('ip', true),
    progress: p('long'),
    routedTo: p('string'),
    status: p('cloud.ip.IpStatusEnum'),
    subType: p('cloud.ip.IpSubTypeEnum'),
  },
  'cloud.ProjectIpFailoverAttachCreation': { instanceId: p('string') },
  'cloud.instance.Instance': {
    created: p('datetime'),
    currentMonthOutgoingTraffic: p('long', true),
    flavorId: p('string'),
    id: p('string'),
    imageId: p('string'),
    ipAddresses: p('cloud.instance.IpAddress[]'),
    monthlyBilling: p('cloud.instance.MonthlyBilling', true),
    name: p('string'),
    operationIds: p('string[]'),
    planCode: p('string', true),
    region: p('string'),
    sshKeyId: p('string', true),
    status: p('cloud.instance.InstanceStatusEnum'),
  },
  'cloud.instance.InstanceDetail': {
    created: p('datetime'),
    currentMonthOutgoingTraffic: p('long', true),
    flavor: p('cloud.flavor.Flavor'),
    id: p('string'),
    image: p('cloud.image.Image'),
    ipAddresses: p('cloud.instance.IpAddress[]'),
    monthlyBilling: p('cloud.instance.MonthlyBilling', true),
    name: p('string'),
    operationIds: p('string[]'),
    planCode: p('string', true),
    region: p('string'),
    rescuePassword: p('password', true),
    sshKey: p('cloud.sshkey.SshKeyDetail', true),
    status: p('cloud.instance.InstanceStatusEnum'),
  },
  'cloud.instance.IpAddress': { gatewayIp: p('ip', true), ip: p('string'), networkId: p('string'), type: p('string'), version: p('long') },
  'cloud.instance.MonthlyBilling': { since: p('datetime'), status: p('cloud.instance.MonthlyBillingStatusEnum') },
  'cloud.flavor.Flavor': {
    available: p('boolean'),
    capabilities: p('cloud.flavor.Capability[]'),
    disk: p('long'),
    id: p('string'),
    inboundBandwidth: p('long', true),
    name: p('string'),
    osType: p('string'),
    outboundBandwidth: p('long', true),
    planCodes: p('cloud.flavor.FlavorPlanCodes'),
    quota: p('long'),
    ram: p('long'),
    region: p('string'),
    type: p('string'),
    vcpus: p('long'),
  },
  'cloud.flavor.FlavorPlanCodes': { hourly: p('string', true), monthly: p('string', true) },
  'cloud.flavor.Capability': { enabled: p('boolean'), name: p('cloud.flavor.CapabilityNameEnum') },
  'cloud.image.Image': {
    creationDate: p('datetime'),
    flavorType: p('string', true),
    id: p('string'),
    minDisk: p('long'),
    minRam: p('long'),
    name: p('string'),
    planCode: p('string', true),
    region: p('string'),
    size: p('double'),
    status: p('string'),
    tags: p('string[]', true),
    type: p('string'),
    user: p('string'),
    visibility: p('string'),
  },
  'cloud.sshkey.SshKeyDetail': { fingerPrint: p('string'), id: p('string'), name: p('string'), publicKey: p('string'), regions: p('string[]') },
};

function typeProblems(value: unknown, type: string, where: string): string[] {
  if (type.endsWith('[]')) {
    if (!Array.isArray(value)) return [`${where}: not an array`];
    return value.flatMap((item, i) => typeProblems(item, type.slice(0, -2), `${where}[${i}]`));
  }
  if (MODELS[type] !== undefined) return cloudModelProblems(value, type).map((problem) => `${where}.${problem}`);
  const values = ENUMS[type];
  if (values !== undefined) return values.includes(value as string) ? [] : [`${where}: ${JSON.stringify(value)} is not in ${type}`];
  const ok =
    type === 'string' || type === 'password'
      ? typeof value === 'string'
      : type === 'boolean'
        ? typeof value === 'boolean'
        : type === 'long'
          ? Number.isInteger(value)
          : type === 'double'
            ? typeof value === 'number'
            : type === 'datetime'
              ? typeof value === 'string' && !Number.isNaN(Date.parse(value))
              : type === 'ip'
                ? typeof value === 'string' && /^\d{1,3}(\.\d{1,3}){3}(\/\d{1,2})?$/.test(value)
                : false;
  return ok ? [] : [`${where}: ${JSON.stringify(value)} is not a ${type}`];
}

/** What in `value` does not fit the model: unknown or missing properties, wrong types, null where not allowed. */
export function cloudModelProblems(value: unknown, model: string): string[] {
  const properties = MODELS[model];
  if (properties === undefined) throw new Error(`cloud-schema: unknown model ${model}`);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [`${model}: not an object`];
  const record = value as Record<string, unknown>;
  const problems = Object.keys(record)
    .filter((key) => properties[key] === undefined)
    .map((key) => `${key}: not in ${model}`);
  for (const [key, property] of Object.entries(properties)) {
    if (!(key in record)) problems.push(`${key}: missing`);
    else if (record[key] === null) {
      if (!property.canBeNull) problems.push(`${key}: null, but ${model}.${key} cannot be null`);
    } else problems.push(...typeProblems(record[key], property.type, key));
  }
  return problems;
}
