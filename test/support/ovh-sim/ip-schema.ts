/**
 * The models of OVH's published /ip schema (eu.api.ovh.com/1.0/ip.json) that
 * the simulator answers with, reduced to what a fit check needs: property
 * type and whether it may be null. `fitsIpModel` returns what does not fit.
 */

interface Property {
  type: string;
  canBeNull: boolean;
}

const ENUMS: Record<string, readonly (string | number)[]> = {
  'ip.IpTypeEnum': [
    'cdn',
    'cloud',
    'dedicated',
    'failover',
    'hosted_ssl',
    'housing',
    'loadBalancing',
    'mail',
    'overthebox',
    'pcc',
    'pci',
    'private',
    'vpn',
    'vps',
    'vrack',
    'xdsl',
  ],
  'ip.IpVersionEnum': [4, 6],
  'ip.TaskFunctionEnum': ['arinBlockReassign', 'changeRipeOrg', 'checkAndReleaseIp', 'genericMoveFloatingIp', 'supernetByoipFailoverPartitioning'],
  'ip.TaskStatusEnum': ['cancelled', 'customerError', 'doing', 'done', 'init', 'ovhError', 'todo'],
};

const p = (type: string, canBeNull: boolean): Property => ({ type, canBeNull });

const MODELS: Record<string, Record<string, Property>> = {
  'ip.Ip': {
    bringYourOwnIp: p('boolean', false),
    campus: p('string', true),
    canBeTerminated: p('boolean', false),
    country: p('string', true),
    description: p('string', true),
    ip: p('ipBlock', false),
    isAdditionalIp: p('boolean', false),
    organisationId: p('string', true),
    regions: p('string[]', true),
    rir: p('string', true),
    routedTo: p('ip.RoutedTo', true),
    type: p('ip.IpTypeEnum', false),
    version: p('ip.IpVersionEnum', false),
  },
  'ip.RoutedTo': { serviceName: p('string', true) },
  'ip.IpTask': {
    comment: p('string', true),
    destination: p('ip.RoutedTo', true),
    doneDate: p('datetime', true),
    function: p('ip.TaskFunctionEnum', false),
    lastUpdate: p('datetime', true),
    startDate: p('datetime', false),
    status: p('ip.TaskStatusEnum', false),
    taskId: p('long', false),
  },
  'ip.Destination': { nexthop: p('string[]', true), service: p('string', false) },
  'ip.Destinations': {
    cloudProject: p('ip.Destination[]', true),
    dedicatedCloud: p('ip.Destination[]', true),
    dedicatedServer: p('ip.Destination[]', true),
    hostingReseller: p('ip.Destination[]', true),
    ipLoadbalancing: p('ip.Destination[]', true),
    vps: p('ip.Destination[]', true),
  },
};

function fitsType(value: unknown, type: string, where: string, problems: string[]): void {
  if (type.endsWith('[]')) {
    if (!Array.isArray(value)) {
      problems.push(`${where}: not an array`);
      return;
    }
    value.forEach((item, i) => fitsType(item, type.slice(0, -2), `${where}[${i}]`, problems));
    return;
  }
  const model = MODELS[type];
  if (model !== undefined) {
    problems.push(...fitsIpModel(value, type).map((problem) => `${where}.${problem}`));
    return;
  }
  const values = ENUMS[type];
  if (values !== undefined) {
    if (!values.includes(value as string | number)) problems.push(`${where}: ${JSON.stringify(value)} is not in ${type}`);
    return;
  }
  const ok =
    type === 'string'
      ? typeof value === 'string'
      : type === 'boolean'
        ? typeof value === 'boolean'
        : type === 'long'
          ? Number.isInteger(value)
          : type === 'datetime'
            ? typeof value === 'string' && Number.isFinite(Date.parse(value))
            : type === 'ipBlock'
              ? typeof value === 'string' && /^\d{1,3}(\.\d{1,3}){3}(\/\d{1,2})?$/.test(value)
              : false;
  if (!ok) problems.push(`${where}: ${JSON.stringify(value)} is not a ${type}`);
}

/** Every way `value` departs from the model: unknown keys, nulls where none may be, wrong types. */
export function fitsIpModel(value: unknown, modelName: string): string[] {
  const model = MODELS[modelName];
  if (model === undefined) throw new Error(`no model ${modelName}`);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [`${modelName}: not an object`];
  const problems: string[] = [];
  for (const [key, field] of Object.entries(value as Record<string, unknown>)) {
    const property = model[key];
    if (property === undefined) {
      problems.push(`${key}: not a property of ${modelName}`);
      continue;
    }
    if (field === null || field === undefined) {
      if (!property.canBeNull) problems.push(`${key}: null, but ${modelName}.${key} cannot be null`);
      continue;
    }
    fitsType(field, property.type, key, problems);
  }
  for (const [key, property] of Object.entries(model)) {
    if (!property.canBeNull && !(key in (value as object))) problems.push(`${key}: missing, and ${modelName}.${key} cannot be null`);
  }
  return problems;
}
