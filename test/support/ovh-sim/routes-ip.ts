import { badRequest, conflict, notFound } from './http-errors.ts';
import { param, type Route, type RouteContext } from './router.ts';
import { bareIp, findVirtualMacOf, removeIpFromVirtualMac } from './state.ts';
import { ipTaskJson } from './tasks.ts';
import type { SimIpBlock } from './types.ts';

/** Moving a failover IP between dedicated servers (`/ip/{ip}/move`). */

function block(ctx: RouteContext): { ip: string; block: SimIpBlock } {
  const raw = param(ctx, 'ip');
  const ip = bareIp(raw);
  const found = ctx.core.state.ips[ip];
  if (found === undefined) throw notFound(`ip = ${raw}`);
  return { ip, block: found };
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
          routedTo: { serviceName: b.routedTo },
          description: b.description ?? null,
          canBeTerminated: true,
          country: 'fr',
          organisationId: null,
          isAdditionalIp: true,
          campus: 'RBX',
        },
      };
    },
  },
  {
    method: 'POST',
    pattern: '/ip/{ip}/move',
    handler: (ctx) => {
      const { ip, block: b } = block(ctx);
      const to = ctx.body.to;
      if (typeof to !== 'string' || to === '') throw badRequest('[to] Property is mandatory');
      const pending = ctx.core.tasks.pendingOn(ip);
      if (pending !== undefined) throw conflict(`A move task (${pending.taskId}) is already in progress for ${ip}/32`);
      if (ctx.core.state.dedicated[to] === undefined) throw badRequest(`The service ${to} is not a valid destination for ${ip}/32`);
      if (b.routedTo === to) throw badRequest(`${ip}/32 is already routed to ${to}`);
      const task = ctx.core.tasks.create(
        {
          fn: 'genericMoveFloatingIp',
          owner: `ip:${ip}`,
          target: ip,
          destination: to,
          delayMs: ctx.core.delays.move,
          outcome: ctx.takeTaskOutcome(),
          apply: () => {
            const current = ctx.core.state.ips[ip];
            if (current === undefined) return `${ip}/32 is gone`;
            // The old server's vMACs lose the IP with the route.
            const holder = findVirtualMacOf(ctx.core.state, ip);
            if (holder !== null) removeIpFromVirtualMac(ctx.core.state, holder.server, holder.mac, ip);
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
      const fn = ctx.query.get('function');
      const status = ctx.query.get('status');
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
