import { badRequest, conflict, notFound } from './http-errors.ts';
import { param, type Route, type RouteContext } from './router.ts';
import type { SimCloudFailoverIp, SimCloudInstance, SimCloudProject } from './types.ts';

/**
 * Public Cloud failover IPs: one atomic attach, visible as `operationPending` meanwhile.
 * Every answer has the shape of its model in OVH's published cloud schema
 * (cloud.ip.FailoverIp, cloud.instance.Instance, cloud.instance.InstanceDetail).
 */

const CREATED = '2026-01-05T09:00:00Z';

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
  };
}

function instanceJson(instance: SimCloudInstance): Record<string, unknown> {
  const region = instance.region ?? 'GRA11';
  return {
    id: instance.id,
    name: instance.name,
    status: instance.status ?? 'ACTIVE',
    region,
    created: CREATED,
    flavorId: 'flavor-b2-7',
    imageId: 'image-openbsd',
    planCode: null,
    sshKeyId: null,
    monthlyBilling: null,
    currentMonthOutgoingTraffic: null,
    operationIds: [],
    ipAddresses: instance.publicIp === undefined ? [] : [{ ip: instance.publicIp, type: 'public', version: 4, networkId: 'ext-net', gatewayIp: null }],
  };
}

function instanceDetailJson(instance: SimCloudInstance): Record<string, unknown> {
  const { flavorId: _flavor, imageId: _image, sshKeyId: _key, ...common } = instanceJson(instance);
  const region = instance.region ?? 'GRA11';
  return {
    ...common,
    rescuePassword: null,
    sshKey: null,
    flavor: {
      id: 'flavor-b2-7',
      name: 'b2-7',
      region,
      type: 'ovh.ssd.eg',
      osType: 'linux',
      available: true,
      vcpus: 2,
      ram: 7000,
      disk: 50,
      quota: 10,
      inboundBandwidth: 250,
      outboundBandwidth: 250,
      planCodes: { hourly: 'b2-7.consumption', monthly: 'b2-7.monthly.postpaid' },
      capabilities: [{ name: 'failoverip', enabled: true }],
    },
    image: {
      id: 'image-openbsd',
      name: 'OpenBSD',
      region,
      type: 'bsd',
      user: 'openbsd',
      visibility: 'public',
      status: 'active',
      creationDate: CREATED,
      minDisk: 0,
      minRam: 0,
      size: 0.5,
      flavorType: null,
      planCode: null,
      tags: null,
    },
  };
}

export const cloudRoutes: Route[] = [
  {
    method: 'GET',
    pattern: '/cloud/project/{serviceName}/instance',
    handler: (ctx) => {
      const region = ctx.query.get('region');
      const instances = project(ctx).project.instances.filter((i) => region === null || (i.region ?? 'GRA11') === region);
      return { body: instances.map(instanceJson) };
    },
  },
  {
    method: 'GET',
    pattern: '/cloud/project/{serviceName}/instance/{instanceId}',
    handler: (ctx) => {
      const id = param(ctx, 'instanceId');
      const instance = project(ctx).project.instances.find((i) => i.id === id);
      if (instance === undefined) throw notFound(`instanceId = ${id}`);
      return { body: instanceDetailJson(instance) };
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
      const instance = p.instances.find((i) => i.id === instanceId);
      if (instance === undefined) throw badRequest(`Instance ${instanceId} not found in project ${sn}`);
      if ((instance.ipNotAllocatedAttaches ?? 0) > 0) {
        instance.ipNotAllocatedAttaches = (instance.ipNotAllocatedAttaches ?? 0) - 1;
        throw badRequest('instance IP not allocated yet');
      }
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
