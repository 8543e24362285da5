import { CarpOvhError, deadlineAware, isCarpOvhError } from '../../errors.ts';
import type {
  AddressOutcome,
  Check,
  ClaimContext,
  ClaimRequest,
  ClaimStep,
  FailoverProvider,
  LocateOptions,
  NeededCall,
  Placement,
  PlannedCall,
  ProviderDoctorContext,
  ProviderDoctorEntry,
} from '../../core/ports/index.ts';
import type { OvhApi } from '../ovh/api.ts';
import { grants, IpApi, ipPath } from '../ovh/ip-api.ts';
import { IpMover } from '../ovh/ip-mover.ts';
import { ipMoveDoctorChecks, neededCalls } from './doctor.ts';

/**
 * `via: ip-move`, for routers that are dedicated servers themselves: OVH routes
 * the failover IP to a server, and `POST /ip/{ip}/move` re-routes it, one
 * IpTask (`genericMoveFloatingIp`) that OVH says takes under a minute.
 * Done when `GET /ip/{ip}` shows `routedTo.serviceName == server` and our move
 * task is no longer pending.
 */

export interface IpMoveOptions {
  /** This router's dedicated server (its OVH service name). */
  server: string;
  /** Sent as `nexthop` with every move when set. */
  nexthop: string | null;
  api: OvhApi;
  pollIntervalMs: number;
  /** How many times a move whose answer was lost, and that left no task behind, is sent again. */
  retries: number;
}

export class IpMoveProvider implements FailoverProvider {
  private readonly options: IpMoveOptions;
  private readonly ip: IpApi;
  private readonly mover: IpMover;

  constructor(options: IpMoveOptions) {
    this.options = options;
    this.ip = new IpApi(options.api);
    this.mover = new IpMover(this.ip, { pollIntervalMs: options.pollIntervalMs, retries: options.retries });
  }

  get server(): string {
    return this.options.server;
  }

  get reads(): string {
    return `where OVH routes the failover IPs of ${this.options.server}`;
  }

  async locate(addresses: string[], options: LocateOptions = {}): Promise<Placement[]> {
    const signal = options.signal ?? new AbortController().signal;
    const { server } = this.options;
    return Promise.all(
      addresses.map(async (address): Promise<Placement> => {
        const holder = await this.ip.routedTo(address, signal);
        return { address, holder, here: holder === server, where: holder === null ? 'on no server' : `server ${holder}` };
      }),
    );
  }

  async claim(request: ClaimRequest, ctx: ClaimContext): Promise<AddressOutcome[]> {
    const { server } = this.options;
    const started = Date.now();
    const placed = await this.locate(request.addresses, { signal: ctx.signal });
    const locateMs = Date.now() - started;
    const toMove = placed.filter((p) => p.holder !== server).map((p) => p.address);
    // Proven for every address before the first change, so a refusal changes nothing at OVH;
    // the pending moves are read meanwhile (both are reads).
    const pending = new Map<string, number[]>();
    if (toMove.length > 0) {
      const [, lists] = await Promise.all([
        this.preflight({ ...request, addresses: toMove }, ctx),
        Promise.all(toMove.map(async (address) => [address, await this.ip.pendingMoves(address, ctx.signal)] as const)),
      ]);
      for (const [address, ids] of lists) pending.set(address, ids);
    }

    return Promise.all(
      placed.map(async ({ address, holder }): Promise<AddressOutcome> => {
        const steps: ClaimStep[] = [{ step: 'locate', ms: locateMs }];
        if (holder === server) {
          ctx.log.info({ address, server }, `${address} is already routed to ${server}: nothing to do`);
          return { address, from: server, result: 'already-here', steps };
        }
        ctx.log.info({ address, holder, server }, holder === null ? `${address} is routed nowhere` : `${address} is routed to ${holder}`);
        try {
          await this.mover.moveHere(address, { server, nexthop: this.options.nexthop }, holder, ctx, steps, pending.get(address) ?? null);
          return { address, from: holder, result: holder === null ? 'attached' : 'moved', steps };
        } catch (error) {
          const failure = deadlineAware(error, ctx.signal);
          return { address, from: holder, result: failure.isCanceled ? 'cancelled' : 'failed', steps, error: failure.toLogObject() };
        }
      }),
    );
  }

  /**
   * Proves the moves can finish here before any of them is sent: `server` is a
   * destination OVH offers for each IP (with `nexthop` among its next hops when
   * OVH lists some), and the key's rules grant the reads and the move.
   */
  async preflight(request: Pick<ClaimRequest, 'addresses'>, ctx: Pick<ClaimContext, 'signal'>): Promise<void> {
    const { server, nexthop } = this.options;
    const problems: string[] = [];
    const [rules, offers] = await Promise.all([
      this.ip.accessRules(ctx.signal),
      Promise.all(
        request.addresses.map(async (address) => {
          try {
            return { address, destinations: await this.ip.destinations(address, ctx.signal) };
          } catch (error) {
            if (isCarpOvhError(error) && error.errorCode === 'NOT_GRANTED_CALL') {
              problems.push(`the consumer key may not call GET /ip/*/move (${address})`);
              return { address, destinations: null };
            }
            throw error;
          }
        }),
      ),
    ]);
    for (const { address, destinations } of offers) {
      if (destinations === null) continue;
      const here = destinations.find((d) => d.service === server);
      if (here === undefined) {
        const offered = destinations.map((d) => d.service).join(', ') || 'none';
        problems.push(`${server} is not a destination OVH offers for ${address} (it offers: ${offered})`);
      } else if (nexthop !== null && here.nexthops !== null && !here.nexthops.includes(nexthop)) {
        problems.push(`next hop ${nexthop} is not one OVH offers for ${address} on ${server} (${here.nexthops.join(', ') || 'none'})`);
      }
    }
    if (rules !== null) {
      const missing = new Set<string>();
      for (const address of request.addresses) {
        for (const need of neededCalls(address)) if (!grants(rules, need.method, need.path)) missing.add(need.rule);
      }
      if (missing.size > 0) problems.push(`the consumer key lacks ${[...missing].join(', ')}`);
    }
    if (problems.length > 0) {
      throw new CarpOvhError(`cannot move ${request.addresses.join(', ')} to ${server}: ${problems.join('; ')}`, { source: 'claim' });
    }
  }

  /** dry-run: the real locate and preflight, then the moves a claim would send, in order. */
  async plan(request: Pick<ClaimRequest, 'addresses'>, ctx: Pick<ClaimContext, 'signal'>): Promise<PlannedCall[]> {
    const { server, nexthop } = this.options;
    const toMove = (await this.locate(request.addresses, { signal: ctx.signal })).filter((p) => p.holder !== server);
    if (toMove.length > 0) await this.preflight({ addresses: toMove.map((p) => p.address) }, ctx);
    return toMove.map(({ address, holder }) => ({
      address,
      from: holder,
      to: server,
      method: 'POST',
      path: `${ipPath(address)}/move`,
      body: nexthop === null ? { to: server } : { to: server, nexthop },
    }));
  }

  neededCalls(entries: readonly ProviderDoctorEntry[]): NeededCall[] {
    return entries.flatMap(({ entry }) => entry.addresses.flatMap((address) => neededCalls(address)));
  }

  /**
   * doctor: the reads a claim starts with, where each VIP is routed against this
   * router's CARP state, a move pending on it, and whether OVH offers the server
   * that would take it next as a destination.
   */
  doctorChecks(addresses: string[], signal: AbortSignal, context?: ProviderDoctorContext): Promise<Check[]> {
    // Without the platform's view (a caller that has none), each address is its own entry in an unknown state.
    const { server, nexthop } = this.options;
    const request = context ?? {
      entries: addresses.map(
        (address): ProviderDoctorEntry => ({
          entry: { interface: address, addresses: [address], via: 'ip-move', server, vmName: null, mac: null, ...(nexthop === null ? {} : { nexthop }) },
          key: address,
          state: null,
          mac: null,
        }),
      ),
      allAddresses: new Set(addresses),
      unavailable: null,
    };
    return ipMoveDoctorChecks(this.ip, server, request, signal);
  }
}
