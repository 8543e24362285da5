/**
 * `via: ip-move`: the failover IP follows the MASTER between dedicated servers
 * (bare-metal routers), through `POST /ip/{ip}/move`.
 */
import type { FailoverEntry } from '../../config/types.ts';
import type { FailoverProvider } from '../../core/ports/index.ts';
import { CarpOvhError } from '../../errors.ts';
import type { OvhProviderContext } from '../ovh/provider-module.ts';
import { IpMoveProvider } from './provider.ts';

export { IpMoveProvider, type IpMoveOptions } from './provider.ts';
export { neededCalls } from './doctor.ts';

/** The wiring's entry point (src/cli/wiring/adapters.ts): one provider per entry, all on the session's API and its rate limit. */
export function createProvider(entry: FailoverEntry, ctx: OvhProviderContext): FailoverProvider {
  if (entry.server === undefined) throw new CarpOvhError('via: ip-move needs failover[].server', { source: 'config', badInput: true });
  const { config, api } = ctx;
  return new IpMoveProvider({
    server: entry.server,
    nexthop: entry.nexthop ?? null,
    api,
    pollIntervalMs: config.ovh.pollIntervalMs,
    retries: config.ovh.retries,
  });
}
