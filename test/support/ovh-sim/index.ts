/**
 * A stand-in for api.ovh.com on 127.0.0.1: signatures, access rules, tasks
 * that complete after a delay, and faults injected per route.
 *
 *   const sim = await startOvhSimulator({ delays: { delete: 50, add: 50 } });
 *   createOvhClient({ url: sim.url, ca: CA_PATH, timeoutMs: 2000, credentials });
 *   sim.addFault({ method: 'DELETE', path: '/dedicated/server*', times: 1, action: { type: 'task', outcome: 'ovhError' } });
 *   sim.locate(SEED_VIP); sim.stats().conflicts; await sim.close();
 *
 * Defaults: the test keys of test/support/secrets.ts granted `/*`, and the
 * seed's world (router-002 and router-003 vMACs on SEED_SERVER, VIP on 003).
 */
export { API_BASE_PATH, startOvhSimulator, type OvhSimulator } from './server.ts';
export { grantAll } from './core.ts';
export { ovhSignature } from './signature.ts';
export {
  BARE_METAL_SERVERS,
  BARE_METAL_VIP,
  bareMetalState,
  TWO_HOST_MACS,
  twoHostState,
  DEFAULT_DELAYS,
  DEFAULT_DIALECTS,
  SEED_MAC_ROUTER_002,
  SEED_MAC_ROUTER_003,
  SEED_SERVER,
  SEED_VIP,
  seedState,
} from './state.ts';
export type * from './types.ts';
