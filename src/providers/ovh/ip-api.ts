import { CarpOvhError, isCarpOvhError } from '../../errors.ts';
import type { OvhApi } from './api.ts';
import { asTask, type OvhTask } from './task.ts';

/**
 * The /ip calls of OVH's API, typed. The path takes a block: carp-ovh always
 * sends `1.2.3.4%2F32`, and node-ovh signs the path exactly as it is sent.
 */

export const MOVE_FUNCTION = 'genericMoveFloatingIp';
/** The statuses of a task that has not finished (ip.TaskStatusEnum); the list query takes one at a time. */
const PENDING_STATUSES = ['init', 'todo', 'doing'] as const;

export interface Destination {
  service: string;
  /** null when OVH names no next hop for that server. */
  nexthops: string[] | null;
}

export function ipPath(address: string): string {
  return `/ip/${encodeURIComponent(`${address}/32`)}`;
}

/** The decoded path OVH matches access rules against (`POST /ip/*\/move` grants it). */
export function ipRulePath(address: string, tail = ''): string {
  return `/ip/${address}/32${tail}`;
}

function badAnswer(what: string, expected: string): CarpOvhError {
  return new CarpOvhError(`OVH answered ${what} with something that is not ${expected}`, { source: 'ovh', badInput: true });
}

export class IpApi {
  private readonly api: OvhApi;

  constructor(api: OvhApi) {
    this.api = api;
  }

  /** `routedTo.serviceName` of the IP: the service OVH routes it to, or null when it is parked. */
  async routedTo(address: string, signal: AbortSignal): Promise<string | null> {
    const what = `GET ${ipPath(address)}`;
    const value = (await this.api.get(ipPath(address), signal)) as { routedTo?: unknown } | null;
    if (value === null || typeof value !== 'object') throw badAnswer(what, 'an ip.Ip');
    const routed = value.routedTo;
    if (routed === null || routed === undefined) return null;
    if (typeof routed !== 'object') throw badAnswer(what, 'an ip.Ip (routedTo)');
    const name = (routed as { serviceName?: unknown }).serviceName;
    if (name === null || name === undefined || name === '') return null;
    if (typeof name !== 'string') throw badAnswer(what, 'an ip.Ip (routedTo.serviceName)');
    return name;
  }

  /** The dedicated servers OVH would move the IP to now (GET /ip/{ip}/move, ip.Destinations). */
  async destinations(address: string, signal: AbortSignal): Promise<Destination[]> {
    const what = `GET ${ipPath(address)}/move`;
    const value = (await this.api.get(`${ipPath(address)}/move`, signal)) as { dedicatedServer?: unknown } | null;
    if (value === null || typeof value !== 'object') throw badAnswer(what, 'an ip.Destinations');
    const list = value.dedicatedServer ?? [];
    if (!Array.isArray(list)) throw badAnswer(what, 'an ip.Destinations (dedicatedServer)');
    return list.map((item: unknown) => {
      const entry = item as { service?: unknown; nexthop?: unknown } | null;
      if (entry === null || typeof entry !== 'object' || typeof entry.service !== 'string') throw badAnswer(what, 'an ip.Destination list');
      const hops = entry.nexthop;
      if (hops !== null && hops !== undefined && !(Array.isArray(hops) && hops.every((h) => typeof h === 'string')))
        throw badAnswer(what, 'an ip.Destination (nexthop)');
      return { service: entry.service, nexthops: (hops as string[] | null | undefined) ?? null };
    });
  }

  /** Ids of the move tasks on this IP that have not finished. */
  async pendingMoves(address: string, signal: AbortSignal): Promise<number[]> {
    const lists = await Promise.all(
      PENDING_STATUSES.map(async (status) => {
        const path = `${ipPath(address)}/task?function=${MOVE_FUNCTION}&status=${status}`;
        const value = await this.api.get(path, signal);
        if (!Array.isArray(value) || !value.every((id) => Number.isInteger(id))) throw badAnswer(`GET ${path}`, 'a list of task ids');
        return value as number[];
      }),
    );
    return [...new Set(lists.flat())].sort((a, b) => a - b);
  }

  /** OVH's task API answers 404/500 transiently on fresh tasks (reference facts): those are read again. */
  async task(address: string, taskId: number, signal: AbortSignal): Promise<OvhTask> {
    const path = `${ipPath(address)}/task/${taskId}`;
    return asTask(await this.api.get(path, signal, (status) => status === 404 || status === 500), `GET ${path}`);
  }

  async move(address: string, to: string, nexthop: string | null, signal: AbortSignal): Promise<OvhTask> {
    const path = `${ipPath(address)}/move`;
    const body: Record<string, unknown> = nexthop === null ? { to } : { to, nexthop };
    return asTask(await this.api.mutate('POST', path, body, signal), `POST ${path}`);
  }

  /** The key's access rules, or null when OVH does not tell them (never a reason to stop). */
  async accessRules(signal: AbortSignal): Promise<Array<{ method: string; path: string }> | null> {
    try {
      const value = (await this.api.get('/auth/currentCredential', signal)) as { rules?: unknown } | null;
      const rules = value?.rules;
      if (!Array.isArray(rules)) return null;
      return rules.filter((r): r is { method: string; path: string } => typeof r?.method === 'string' && typeof r?.path === 'string');
    } catch (error) {
      if (signal.aborted || !isCarpOvhError(error)) throw error;
      return null;
    }
  }
}

/** OVH's access-rule wildcard: `*` is any run of characters, `/` included. */
export function grants(rules: ReadonlyArray<{ method: string; path: string }>, method: string, path: string): boolean {
  return rules.some((rule) => {
    if (rule.method.toUpperCase() !== method) return false;
    const body = rule.path
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*');
    return new RegExp(`^${body}$`).test(path);
  });
}
