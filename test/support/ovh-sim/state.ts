import type { SimDelays, SimDialects, SimPlacement, SimState } from './types.ts';

/** The setup of the seed log: router-002 and router-003 as VMs on one dedicated server. */
export const SEED_SERVER = 'ns3000000.ip-1-2-3.eu';
export const SEED_VIP = '51.68.252.230';
export const SEED_MAC_ROUTER_002 = '00:50:56:09:3c:f2';
export const SEED_MAC_ROUTER_003 = '00:50:56:09:98:fc';

export function seedState(): SimState {
  return {
    dedicated: {
      [SEED_SERVER]: {
        virtualMacs: {
          [SEED_MAC_ROUTER_002]: { type: 'vmware', ips: { '178.32.70.110': 'router-002' } },
          [SEED_MAC_ROUTER_003]: { type: 'vmware', ips: { [SEED_VIP]: 'router-003', '178.32.70.111': 'router-003' } },
        },
      },
    },
    ips: {
      [SEED_VIP]: { routedTo: SEED_SERVER, type: 'failover' },
      '178.32.70.110': { routedTo: SEED_SERVER, type: 'failover' },
      '178.32.70.111': { routedTo: SEED_SERVER, type: 'failover' },
    },
    cloud: {},
  };
}

/** Short by default: tests wait milliseconds where OVH takes ~30 s. */
export const DEFAULT_DELAYS: SimDelays = { delete: 40, add: 40, createMac: 40, move: 40, attach: 40 };

/**
 * The /ip move order that needs nothing of the vMAC (OVH takes the IP off it with
 * the route); for the vMAC calls, what the simulator did before dialects existed:
 * the list changes with the task, 404 and 400, no 408s.
 */
export const DEFAULT_DIALECTS: SimDialects = {
  moveWhileOnVirtualMac: 'strip',
  movePendingStatus: 409,
  listChange: 'with-task',
  listLagMs: 0,
  deleteAbsent: 404,
  postElsewhere: 400,
  taskNotFoundReads: 0,
  html408: 'off',
  virtualMacs: 0,
};

/**
 * Fills every dedicated server up to `count` vMACs, each a VM with its own IP
 * (TEST-NET-2 addresses: nothing is ever sent to them), as on an ESXi host.
 */
export function padVirtualMacs(state: SimState, count: number): void {
  let n = 0;
  for (const server of Object.values(state.dedicated)) {
    while (Object.keys(server.virtualMacs).length < count) {
      n += 1;
      const hex = (v: number) => v.toString(16).padStart(2, '0');
      const mac = `02:00:00:1f:${hex((n >> 8) & 0xff)}:${hex(n & 0xff)}`;
      if (server.virtualMacs[mac] !== undefined) continue;
      server.virtualMacs[mac] = { type: 'ovh', ips: { [`198.51.100.${n % 250}`]: `vm-${String(n).padStart(3, '0')}` } };
    }
  }
}

export function completeState(partial: Partial<SimState> | undefined): SimState {
  if (partial === undefined) return seedState();
  return structuredClone({
    dedicated: partial.dedicated ?? {},
    ips: partial.ips ?? {},
    cloud: partial.cloud ?? {},
  });
}

/** `1.2.3.4`, `1.2.3.4/32` → `1.2.3.4`; anything else is returned unchanged (and will not be found). */
export function bareIp(raw: string): string {
  return raw.endsWith('/32') ? raw.slice(0, -3) : raw;
}

export function isIpv4(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const parts = value.split('.');
  return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}

export function normalizeMac(raw: string): string {
  return raw.toLowerCase();
}

/** Every place the simulator currently routes `ip` to. */
export function locate(state: SimState, ip: string): SimPlacement[] {
  const found: SimPlacement[] = [];
  for (const [server, dedicated] of Object.entries(state.dedicated)) {
    for (const [mac, vmac] of Object.entries(dedicated.virtualMacs)) {
      const name = vmac.ips[ip];
      if (name !== undefined) found.push({ via: 'virtual-mac', server, mac, virtualMachineName: name });
    }
  }
  const block = state.ips[ip];
  if (block?.routedTo != null) found.push({ via: 'ip-move', server: block.routedTo });
  for (const [project, cloud] of Object.entries(state.cloud)) {
    for (const fip of cloud.failoverIps) {
      if (fip.ip === ip) {
        found.push({ via: 'cloud-failover', project, failoverIpId: fip.id, instanceId: fip.routedTo });
      }
    }
  }
  return found;
}

/** The vMAC (on any server) that holds `ip`, if any. */
export function findVirtualMacOf(state: SimState, ip: string): { server: string; mac: string } | null {
  for (const [server, dedicated] of Object.entries(state.dedicated)) {
    for (const [mac, vmac] of Object.entries(dedicated.virtualMacs)) {
      if (vmac.ips[ip] !== undefined) return { server, mac };
    }
  }
  return null;
}

/** OVH deletes a vMAC together with its last IP. */
export function removeIpFromVirtualMac(state: SimState, server: string, mac: string, ip: string): boolean {
  const vmac = state.dedicated[server]?.virtualMacs[mac];
  if (vmac?.ips[ip] === undefined) return false;
  delete vmac.ips[ip];
  if (Object.keys(vmac.ips).length === 0) delete state.dedicated[server]?.virtualMacs[mac];
  return true;
}

/**
 * Two routers on two dedicated servers (TEST-NET-3 addresses: nothing is ever
 * sent to them). Bare metal (`via: ip-move`): the failover IP is routed to
 * `BARE_METAL_SERVERS[0]`, and neither server has a vMAC.
 */
export const BARE_METAL_SERVERS = ['ns-a.ip-203-0-113.eu', 'ns-b.ip-203-0-113.eu'] as const;
export const BARE_METAL_VIP = '203.0.113.100';

export function bareMetalState(routedTo: string | null = BARE_METAL_SERVERS[0]): SimState {
  return {
    dedicated: { [BARE_METAL_SERVERS[0]]: { virtualMacs: {} }, [BARE_METAL_SERVERS[1]]: { virtualMacs: {} } },
    ips: { [BARE_METAL_VIP]: { routedTo, type: 'failover' } },
    cloud: {},
  };
}

/**
 * Virtual-MAC routers as VMs on two dedicated servers, one each: the VIP is on
 * router A's vMAC on the first server; each vMAC keeps an IP of its own router.
 */
export const TWO_HOST_MACS = ['02:00:00:0a:00:01', '02:00:00:0b:00:01'] as const;

export function twoHostState(): SimState {
  const [a, b] = BARE_METAL_SERVERS;
  return {
    dedicated: {
      [a]: { virtualMacs: { [TWO_HOST_MACS[0]]: { type: 'ovh', ips: { [BARE_METAL_VIP]: 'router-a', '203.0.113.101': 'router-a' } } } },
      [b]: { virtualMacs: { [TWO_HOST_MACS[1]]: { type: 'ovh', ips: { '203.0.113.102': 'router-b' } } } },
    },
    ips: {
      [BARE_METAL_VIP]: { routedTo: a, type: 'failover' },
      '203.0.113.101': { routedTo: a, type: 'failover' },
      '203.0.113.102': { routedTo: b, type: 'failover' },
    },
    cloud: {},
  };
}
