import { badRequest, conflict, notFound } from './http-errors.ts';
import { param, type Route, type RouteContext } from './router.ts';
import type { SimCloudFailoverIp, SimCloudProject } from './types.ts';

/** Public Cloud failover IPs: one atomic attach, visible as `operationPending` meanwhile. */

function project(ctx: RouteContext): { sn: string; project: SimCloudProject } {
  const sn = param(ctx, 'serviceName');
  const found = ctx.core.state.cloud[sn];
  if (found === undefined) throw notFound(`serviceName = ${sn}`);
  return { sn, project: found };
}

function failoverIp(ctx: RouteContext): { sn: string; project: SimCloudProject; fip: SimCloudFailoverIp } {
  const p = project(ctx);
  const id = param(ctx, 'id');
  const fip = p.project.failoverIps.find((f) => f.id === id);
  if (fip === undefined) throw notFound(`id = ${id}`);
  return { ...p, fip };
}

function failoverJson(ctx: RouteContext, fip: SimCloudFailoverIp): Record<string, unknown> {
  const pending = ctx.core.tasks.pendingOn(fip.ip) !== undefined;
  return {
    id: fip.id,
    ip: fip.ip,
    block: `${fip.ip}/32`,
    routedTo: fip.routedTo,
    status: pending ? 'operationPending' : 'ok',
    progress: pending ? 0 : 100,
    subType: 'cloud',
    continentCode: 'EU',
    geoloc: 'FR',
    region: fip.region ?? 'GRA11',
  };
}

export const cloudRoutes: Route[] = [
  {
    method: 'GET',
    pattern: '/cloud/project/{serviceName}/instance',
    handler: (ctx) => ({
      body: project(ctx).project.instances.map((i) => ({
        id: i.id,
        name: i.name,
        status: i.status ?? 'ACTIVE',
        region: i.region ?? 'GRA11',
        ipAddresses: [],
      })),
    }),
  },
  {
    method: 'GET',
    pattern: '/cloud/project/{serviceName}/instance/{instanceId}',
    handler: (ctx) => {
      const id = param(ctx, 'instanceId');
      const instance = project(ctx).project.instances.find((i) => i.id === id);
      if (instance === undefined) throw notFound(`instanceId = ${id}`);
      return { body: { id: instance.id, name: instance.name, status: instance.status ?? 'ACTIVE', region: instance.region ?? 'GRA11' } };
    },
  },
  {
    method: 'GET',
    pattern: '/cloud/project/{serviceName}/ip/failover',
    handler: (ctx) => ({ body: project(ctx).project.failoverIps.map((f) => failoverJson(ctx, f)) }),
  },
  {
    method: 'GET',
    pattern: '/cloud/project/{serviceName}/ip/failover/{id}',
    handler: (ctx) => ({ body: failoverJson(ctx, failoverIp(ctx).fip) }),
  },
  {
    method: 'POST',
    pattern: '/cloud/project/{serviceName}/ip/failover/{id}/attach',
    handler: (ctx) => {
      const { sn, project: p, fip } = failoverIp(ctx);
      const instanceId = ctx.body.instanceId;
      if (typeof instanceId !== 'string' || instanceId === '') throw badRequest('[instanceId] Property is mandatory');
      const pending = ctx.core.tasks.pendingOn(fip.ip);
      if (pending !== undefined) throw conflict(`An operation is already pending on failover IP ${fip.ip}`);
      if (!p.instances.some((i) => i.id === instanceId)) throw badRequest(`Instance ${instanceId} not found in project ${sn}`);
      if (fip.routedTo === instanceId) return { body: failoverJson(ctx, fip) };
      ctx.core.tasks.create(
        {
          fn: 'attachFailoverIp',
          owner: `cloud:${sn}`,
          target: fip.ip,
          delayMs: ctx.core.delays.attach,
          outcome: ctx.takeTaskOutcome(),
          apply: () => {
            const current = ctx.core.state.cloud[sn]?.failoverIps.find((f) => f.id === fip.id);
            if (current === undefined) return `failover IP ${fip.id} is gone`;
            current.routedTo = instanceId;
            return null;
          },
        },
        ctx.core.now(),
      );
      return { body: failoverJson(ctx, fip) };
    },
  },
];
