import { CarpOvhError } from '../../errors.ts';

/**
 * The Public Cloud answers the provider reads (cloud.ip.FailoverIp,
 * cloud.instance.Instance in OVH's schema), checked before use: an answer of
 * another shape is an error that names the call, never a guess.
 */

export interface FailoverIp {
  id: string;
  /** Bare IPv4 (the `ip` field, else `block` without its /32). */
  ip: string;
  routedTo: string;
  status: 'ok' | 'operationPending';
}

export interface Instance {
  id: string;
  name: string;
  status: string;
}

function bad(call: string, what: string): CarpOvhError {
  return new CarpOvhError(`${call} answered ${what}`, { source: 'ovh', badInput: true });
}

function record(value: unknown, call: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad(call, 'something that is not an object');
  return value as Record<string, unknown>;
}

export function asFailoverIp(value: unknown, call: string): FailoverIp {
  const r = record(value, call);
  const id = r.id;
  const address = typeof r.ip === 'string' ? r.ip : typeof r.block === 'string' ? r.block : null;
  const ip = address?.replace(/\/32$/, '') ?? null;
  if (typeof id !== 'string' || id === '') throw bad(call, 'a failover IP without an id');
  if (ip === null || !/^(\d{1,3}\.){3}\d{1,3}$/.test(ip)) throw bad(call, `failover IP ${JSON.stringify(id.slice(0, 40))} without an IPv4 address`);
  if (typeof r.routedTo !== 'string') throw bad(call, `failover IP ${ip} without routedTo`);
  if (r.status !== 'ok' && r.status !== 'operationPending') throw bad(call, `failover IP ${ip} with status ${JSON.stringify(String(r.status).slice(0, 40))}`);
  return { id, ip, routedTo: r.routedTo, status: r.status };
}

export function asFailoverIps(value: unknown, call: string): FailoverIp[] {
  if (!Array.isArray(value)) throw bad(call, 'something that is not a list');
  return value.map((item) => asFailoverIp(item, call));
}

export function asInstances(value: unknown, call: string): Instance[] {
  if (!Array.isArray(value)) throw bad(call, 'something that is not a list');
  return value.map((item) => {
    const r = record(item, call);
    if (typeof r.id !== 'string' || typeof r.name !== 'string') throw bad(call, 'an instance without id or name');
    return { id: r.id, name: r.name, status: typeof r.status === 'string' ? r.status : 'UNKNOWN' };
  });
}
