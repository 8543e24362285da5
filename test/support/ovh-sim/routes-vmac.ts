import type { SimCore } from './core.ts';
import { badRequest, conflict, notFound } from './http-errors.ts';
import { param, type Route, type RouteContext } from './router.ts';
import { bareIp, findVirtualMacOf, isIpv4, normalizeMac, removeIpFromVirtualMac } from './state.ts';
import { dedicatedTaskJson, type SimTask } from './tasks.ts';
import type { SimDedicatedServer, SimVirtualMac, TaskStatus } from './types.ts';

/** Dedicated server virtual MACs: the Nasqueron flow (DELETE on the old MAC, POST on the new). */

function server(ctx: RouteContext): { sn: string; server: SimDedicatedServer } {
  const sn = param(ctx, 'serviceName');
  const found = ctx.core.state.dedicated[sn];
  if (found === undefined) throw notFound(`serviceName = ${sn}`);
  return { sn, server: found };
}

function virtualMac(ctx: RouteContext): { sn: string; mac: string; vmac: SimVirtualMac } {
  const { sn, server: s } = server(ctx);
  const mac = normalizeMac(param(ctx, 'macAddress'));
  const vmac = s.virtualMacs[mac];
  if (vmac === undefined) throw notFound(`macAddress = ${mac}`);
  return { sn, mac, vmac };
}

function requireIp(body: Record<string, unknown>): string {
  const ip = body.ipAddress;
  if (ip === undefined) throw badRequest('[ipAddress] Property is mandatory');
  if (!isIpv4(ip)) throw badRequest(`[ipAddress] Given data (${String(ip)}) is not valid for type ipv4`);
  return ip;
}

function requireName(body: Record<string, unknown>): string {
  const name = body.virtualMachineName;
  if (typeof name !== 'string' || name === '') throw badRequest('[virtualMachineName] Property is mandatory');
  return name;
}

function assertNoPendingTask(core: SimCore, ip: string): void {
  const pending = core.tasks.pendingOn(ip);
  if (pending !== undefined) {
    throw conflict(`A task (${pending.taskId}, ${pending.fn}) is already in progress on IP ${ip}`);
  }
}

/** A failover IP known to the simulator must be routed to this server to sit on one of its vMACs. */
function assertRoutedHere(core: SimCore, sn: string, ip: string): void {
  const block = core.state.ips[ip];
  if (block !== undefined && block.routedTo !== sn) {
    throw badRequest(`The IP ${ip} is not routed to the server ${sn}`);
  }
}

/**
 * OVH does not document the answer for an IP that already sits on a vMAC;
 * a 400 carrying the MAC is what its API does for comparable rule violations.
 */
function assertNotOnAnyMac(core: SimCore, ip: string): void {
  const holder = findVirtualMacOf(core.state, ip);
  if (holder !== null) {
    const message = `The IP address ${ip} is already linked to the virtual MAC ${holder.mac} (server ${holder.server})`;
    // python-ovh maps 409 to a generic conflict: OVH may well answer this one with it (the postElsewhere dialect).
    throw core.dialects.postElsewhere === 409 ? conflict(message) : badRequest(message);
  }
}

function startTask(ctx: RouteContext, sn: string, fn: string, ip: string, delayMs: number, apply: () => string | null): SimTask {
  return ctx.core.tasks.create(
    { fn, owner: `dedicated:${sn}`, target: ip, delayMs, outcome: ctx.takeTaskOutcome(), apply, visibility: ctx.core.visibility() },
    ctx.core.now(),
  );
}

function taskBody(ctx: RouteContext, task: SimTask): { body: unknown } {
  return { body: dedicatedTaskJson(ctx.core.tasks, task, ctx.core.now()) };
}

const STATUSES: ReadonlySet<string> = new Set<TaskStatus>(['init', 'todo', 'doing', 'done', 'cancelled', 'customerError', 'ovhError']);

export const virtualMacRoutes: Route[] = [
  {
    method: 'GET',
    pattern: '/dedicated/server',
    handler: ({ core }) => ({ body: Object.keys(core.state.dedicated) }),
  },
  {
    method: 'GET',
    pattern: '/dedicated/server/{serviceName}',
    handler: (ctx) => {
      const { sn } = server(ctx);
      return { body: { name: sn, state: 'ok', datacenter: 'rbx8', monitoring: false, os: 'esxi8_64', reverse: sn } };
    },
  },
  {
    method: 'GET',
    pattern: '/dedicated/server/{serviceName}/virtualMac',
    handler: (ctx) => ({ body: Object.keys(server(ctx).server.virtualMacs) }),
  },
  {
    method: 'POST',
    pattern: '/dedicated/server/{serviceName}/virtualMac',
    handler: (ctx) => {
      const { sn } = server(ctx);
      const ip = requireIp(ctx.body);
      const name = requireName(ctx.body);
      const type = ctx.body.type;
      if (type !== 'ovh' && type !== 'vmware') {
        throw badRequest(`[type] Given data (${String(type)}) does not belong to the dedicated.server.VmacTypeEnum enumeration`);
      }
      assertNoPendingTask(ctx.core, ip);
      assertRoutedHere(ctx.core, sn, ip);
      assertNotOnAnyMac(ctx.core, ip);
      const task = startTask(ctx, sn, 'addVirtualMac', ip, ctx.core.delays.createMac, () => {
        const target = ctx.core.state.dedicated[sn];
        if (target === undefined) return `server ${sn} is gone`;
        if (findVirtualMacOf(ctx.core.state, ip) !== null) return `IP ${ip} is already on a virtual MAC`;
        target.virtualMacs[ctx.core.newMac(type)] = { type, ips: { [ip]: name } };
        return null;
      });
      return taskBody(ctx, task);
    },
  },
  {
    method: 'GET',
    pattern: '/dedicated/server/{serviceName}/virtualMac/{macAddress}',
    handler: (ctx) => {
      const { mac, vmac } = virtualMac(ctx);
      return { body: { macAddress: mac, type: vmac.type } };
    },
  },
  {
    method: 'GET',
    pattern: '/dedicated/server/{serviceName}/virtualMac/{macAddress}/virtualAddress',
    handler: (ctx) => ({ body: Object.keys(virtualMac(ctx).vmac.ips) }),
  },
  {
    method: 'POST',
    pattern: '/dedicated/server/{serviceName}/virtualMac/{macAddress}/virtualAddress',
    handler: (ctx) => {
      const { sn, mac, vmac } = virtualMac(ctx);
      const ip = requireIp(ctx.body);
      const name = requireName(ctx.body);
      assertNoPendingTask(ctx.core, ip);
      assertRoutedHere(ctx.core, sn, ip);
      if (vmac.ips[ip] !== undefined) throw badRequest(`The IP address ${ip} is already linked to this virtual MAC`);
      assertNotOnAnyMac(ctx.core, ip);
      const task = startTask(ctx, sn, 'virtualMacAdd', ip, ctx.core.delays.add, () => {
        const target = ctx.core.state.dedicated[sn]?.virtualMacs[mac];
        if (target === undefined) return `virtual MAC ${mac} is gone`;
        if (findVirtualMacOf(ctx.core.state, ip) !== null) return `IP ${ip} is already on a virtual MAC`;
        target.ips[ip] = name;
        return null;
      });
      return taskBody(ctx, task);
    },
  },
  {
    method: 'GET',
    pattern: '/dedicated/server/{serviceName}/virtualMac/{macAddress}/virtualAddress/{ipAddress}',
    handler: (ctx) => {
      const { vmac } = virtualMac(ctx);
      const ip = bareIp(param(ctx, 'ipAddress'));
      const name = vmac.ips[ip];
      if (name === undefined) throw notFound(`ipAddress = ${ip}`);
      return { body: { ipAddress: ip, virtualMachineName: name } };
    },
  },
  {
    method: 'DELETE',
    pattern: '/dedicated/server/{serviceName}/virtualMac/{macAddress}/virtualAddress/{ipAddress}',
    handler: (ctx) => {
      const { sn, mac, vmac } = virtualMac(ctx);
      const ip = bareIp(param(ctx, 'ipAddress'));
      assertNoPendingTask(ctx.core, ip);
      if (vmac.ips[ip] === undefined) {
        // Undocumented: a 404 like any missing object, or a 400 like a rule violation (the deleteAbsent dialect).
        if (ctx.core.dialects.deleteAbsent === 400) throw badRequest(`The IP address ${ip} is not linked to the virtual MAC ${mac}`);
        throw notFound(`ipAddress = ${ip}`);
      }
      const last = Object.keys(vmac.ips).length === 1;
      const task = startTask(ctx, sn, last ? 'removeVirtualMac' : 'virtualMacDelete', ip, ctx.core.delays.delete, () =>
        removeIpFromVirtualMac(ctx.core.state, sn, mac, ip) ? null : `IP ${ip} is no longer on ${mac}`,
      );
      return taskBody(ctx, task);
    },
  },
  {
    method: 'GET',
    pattern: '/dedicated/server/{serviceName}/task',
    handler: (ctx) => {
      const { sn } = server(ctx);
      const fn = ctx.query.get('function');
      const status = ctx.query.get('status');
      if (status !== null && !STATUSES.has(status)) throw badRequest(`[status] Given data (${status}) is not valid`);
      const now = ctx.core.now();
      const ids = ctx.core.tasks
        .list(`dedicated:${sn}`)
        .filter((t) => (fn === null || t.fn === fn) && (status === null || ctx.core.tasks.status(t, now) === status))
        .map((t) => t.taskId);
      return { body: ids };
    },
  },
  {
    method: 'GET',
    pattern: '/dedicated/server/{serviceName}/task/{taskId}',
    handler: (ctx) => {
      const { sn } = server(ctx);
      const id = Number(param(ctx, 'taskId'));
      const task = Number.isInteger(id) ? ctx.core.tasks.find(`dedicated:${sn}`, id) : undefined;
      if (task === undefined) throw notFound(`taskId = ${param(ctx, 'taskId')}`);
      // Terraform's provider retries 404 on a fresh task: it may not be visible yet (the taskNotFoundReads dialect).
      task.reads += 1;
      if (task.reads <= ctx.core.dialects.taskNotFoundReads) throw notFound(`taskId = ${param(ctx, 'taskId')}`);
      return taskBody(ctx, task);
    },
  },
];
