/**
 * `via: ip-move`: the failover IP follows the MASTER between dedicated servers
 * (bare-metal routers), through `POST /ip/{ip}/move`.
 */
export { IpMoveProvider, neededCalls, type IpMoveOptions, type ProviderCheck } from './provider.ts';
