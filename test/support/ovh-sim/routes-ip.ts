import { badRequest, conflict, notFound, SimHttpError, errorBody } from './http-errors.ts';
import { param, type Route, type RouteContext } from './router.ts';
import { bareIp, findVirtualMacOf, removeIpFromVirtualMac } from './state.ts';
import { ipTaskJson } from './tasks.ts';
import type { SimIpBlock, SimState } from './types.ts';

/**
 * Moving a failover IP between dedicated servers (`/ip/{ip}`, `/ip/{ip}/move`,
 * `/ip/{ip}/task`). The path takes a block, `1.2.3.4` or `1.2.3.4%2F32`; the
 * router decodes it and the signature is checked over the URL as sent.
 */

const MOVE = 'genericMoveFloatingIp';
/** ip.TaskFunctionEnum and ip.TaskStatusEnum: a query outside them is a 400 at OVH. */
const TASK_FUNCTIONS = new Set(['arinBlockReassign', 'changeRipeOrg', 'checkAndReleaseIp', MOVE, 'supernetByoipFailoverPartitioning']);
const TASK_STATUSES = new Set(['cancelled', 'customerError', 'doing', 'done', 'init', 'ovhError', 'todo']);

function block(ctx: RouteContext): { ip: string; block: SimIpBlock } {
  const raw = param(ctx, 'ip');
  const ip = bareIp(raw);
  const found = ctx.core.state.ips[ip];
  if (found === undefined) throw notFound(`ip = ${raw}`);
  return { ip, block: found };
}

/** Dedicated servers the block may be moved to now: the listed (or every) server, but the one it is on. */
function destinations(state: SimState, b: SimIpBlock): string[] {
  const allowed = b.destinations ?? Object.keys(state.dedicated);
  return allowed.filter((server) => server !== b.routedTo && state.dedicated[server] !== undefined);
}

function enumQuery(ctx: RouteContext, name: string, allowed: Set<string>): string | null {
  const value = ctx.query.get(name);
  if (value !== null && !allowed.has(value)) throw badRequest(`[${name}] Given data (${value}) does not belong to the enum`);
  return value;
}

function checkMove(ctx: RouteContext, ip: string, b: SimIpBlock): { to: string; nexthop: string | null } {
  const { to, nexthop } = ctx.body;
  if (typeof to !== 'string' || to === '') throw badRequest('[to] Property is mandatory');
  if (nexthop !== undefined && nexthop !== null && typeof nexthop !== 'string') throw badRequest('[nexthop] Given data is not a string');
  const pending = ctx.core.tasks.pendingOn(ip);
  if (pending !== undefined) {
    const message = `A move task (${pending.taskId}) is already in progress for ${ip}/32`;
    throw ctx.core.dialects.movePendingStatus === 409 ? conflict(message) : badRequest(message);
  }
  if (b.routedTo === to) throw badRequest(`${ip}/32 is already routed to ${to}`);
  if (!destinations(ctx.core.state, b).includes(to)) throw badRequest(`The service ${to} is not a valid destination for ${ip}/32`);
  const hops = ctx.core.state.dedicated[to]?.nexthops ?? [];
  if (typeof nexthop === 'string' && !hops.includes(nexthop)) throw badRequest(`${nexthop} is not a valid nexthop for ${to}`);
  const holder = findVirtualMacOf(ctx.core.state, ip);
  if (holder !== null && ctx.core.dialects.moveWhileOnVirtualMac === 'refuse') {
    throw new SimHttpError(400, errorBody(400, `${ip}/32 is still attached to the virtual MAC ${holder.mac} of ${holder.server}: remove it first`));
  }
  return { to, nexthop: typeof nexthop === 'string' ? nexthop : null };
}

export const ipRoutes: Route[] = [
  {
    method: 'GET',
    pattern: '/ip/{ip}',
    handler: (ctx) => {
      const { ip, block: b } = block(ctx);
      return {
        body: {
          ip: `${ip}/32`,
          type: b.type ?? 'failover',
          version: 4,
          routedTo: { serviceName: b.routedTo },
          description: b.description ?? null,
          canBeTerminated: true,
          bringYourOwnIp: false,
          country: 'fr',
          organisationId: null,
          isAdditionalIp: true,
          campus: 'RBX',
          regions: null,
          rir: 'RIPE',
        },
      };
    },
  },
  {
    method: 'GET',
    pattern: '/ip/{ip}/move',
    handler: (ctx) => {
      const { block: b } = block(ctx);
      const servers = destinations(ctx.core.state, b);
      return {
        body: {
          dedicatedServer: servers.map((service) => ({ service, nexthop: ctx.core.state.dedicated[service]?.nexthops ?? null })),
          dedicatedCloud: null,
          cloudProject: null,
          hostingReseller: null,
          ipLoadbalancing: null,
          vps: null,
        },
      };
    },
  },
  {
    method: 'POST',
    pattern: '/ip/{ip}/move',
    handler: (ctx) => {
      const { ip, block: b } = block(ctx);
      const { to } = checkMove(ctx, ip, b);
      const keepVirtualMac = ctx.core.dialects.moveWhileOnVirtualMac === 'keep';
      const task = ctx.core.tasks.create(
        {
          fn: MOVE,
          owner: `ip:${ip}`,
          target: ip,
          destination: to,
          delayMs: ctx.core.delays.move,
          outcome: ctx.takeTaskOutcome(),
          apply: () => {
            const current = ctx.core.state.ips[ip];
            if (current === undefined) return `${ip}/32 is gone`;
            if (ctx.core.state.dedicated[to] === undefined) return `${to} is gone`;
            const holder = findVirtualMacOf(ctx.core.state, ip);
            if (holder !== null && holder.server !== to && !keepVirtualMac) removeIpFromVirtualMac(ctx.core.state, holder.server, holder.mac, ip);
            current.routedTo = to;
            return null;
          },
        },
        ctx.core.now(),
      );
      return { body: ipTaskJson(ctx.core.tasks, task, ctx.core.now()) };
    },
  },
  {
    method: 'GET',
    pattern: '/ip/{ip}/task',
    handler: (ctx) => {
      const { ip } = block(ctx);
      const fn = enumQuery(ctx, 'function', TASK_FUNCTIONS);
      const status = enumQuery(ctx, 'status', TASK_STATUSES);
      const now = ctx.core.now();
      const ids = ctx.core.tasks
        .list(`ip:${ip}`)
        .filter((t) => (fn === null || t.fn === fn) && (status === null || ctx.core.tasks.status(t, now) === status))
        .map((t) => t.taskId);
      return { body: ids };
    },
  },
  {
    method: 'GET',
    pattern: '/ip/{ip}/task/{taskId}',
    handler: (ctx) => {
      const { ip } = block(ctx);
      const id = Number(param(ctx, 'taskId'));
      const task = Number.isInteger(id) ? ctx.core.tasks.find(`ip:${ip}`, id) : undefined;
      if (task === undefined) throw notFound(`taskId = ${param(ctx, 'taskId')}`);
      return { body: ipTaskJson(ctx.core.tasks, task, ctx.core.now()) };
    },
  },
];
