import { CarpOvhError, deadlineAware, isCarpOvhError } from '../../errors.ts';
import type { AddressOutcome, ClaimContext, ClaimRequest, ClaimStep, FailoverProvider, LocateOptions, Placement, PlannedCall } from '../../core/ports/index.ts';
import type { OvhApi } from '../ovh/api.ts';
import { grants, IpApi, ipPath, ipRulePath } from '../ovh/ip-api.ts';
import { IpMover } from '../ovh/ip-mover.ts';

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
    return Promise.all(addresses.map(async (address) => ({ address, holder: await this.ip.routedTo(address, signal) })));
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

  /** The calls a claim of these entries makes, with the rule that grants each: doctor lists them under `ovh.grants`. */
  neededCalls(entries: ReadonlyArray<{ entry: { addresses: string[] } }>): Array<{ method: string; path: string; rule: string }> {
    return entries.flatMap(({ entry }) => entry.addresses.flatMap((address) => neededCalls(address)));
  }

  /**
   * doctor and status: where each VIP is routed, whether a move is pending,
   * whether OVH offers this server (or, when the VIP is here, another one for
   * the peer) as a destination, and whether the key has the rules a claim needs.
   */
  async doctorChecks(addresses: string[], signal: AbortSignal): Promise<ProviderCheck[]> {
    const { server } = this.options;
    const checks: ProviderCheck[] = [grantsCheck(await this.ip.accessRules(signal), addresses)];
    for (const address of addresses) {
      let holder: string | null;
      try {
        holder = await this.ip.routedTo(address, signal);
      } catch (error) {
        checks.push({
          id: `placement.route:${address}`,
          group: 'placement',
          status: 'fail',
          title: `${address} at OVH`,
          detail: `GET /ip/${address} failed: ${describe(error)}`,
          fix: "check the key's rules (GET /ip/*) and that the failover IP belongs to this OVH account.",
        });
        continue;
      }
      const where = holder === null ? 'routed nowhere' : holder === server ? `routed to ${server} (this router's server)` : `routed to ${holder}`;
      checks.push(
        holder === null
          ? {
              id: `placement.route:${address}`,
              group: 'placement',
              status: 'fail',
              title: `${address} at OVH`,
              detail: `${address} is ${where}: OVH sends its traffic nowhere`,
              fix: 'run carp-ovh reconcile on the MASTER.',
            }
          : { id: `placement.route:${address}`, group: 'placement', status: 'pass', title: `${address} at OVH`, detail: where },
      );
      try {
        const pending = await this.ip.pendingMoves(address, signal);
        if (pending.length > 0)
          checks.push({
            id: `placement.pending:${address}`,
            group: 'placement',
            status: 'warn',
            title: `move of ${address}`,
            detail: `a move is in progress at OVH (task ${pending.join(', ')})`,
            fix: 'wait for it; carp-ovh status shows where the VIP ends.',
          });
        const offered = (await this.ip.destinations(address, signal)).map((d) => d.service);
        checks.push(destinationCheck(address, holder, server, offered));
      } catch (error) {
        checks.push({
          id: `ovh.destination:${address}`,
          group: 'ovh',
          status: 'fail',
          title: `destinations of ${address}`,
          detail: `cannot read where OVH may move ${address}: ${describe(error)}`,
          fix: 'add the access rule GET /ip/* to the consumer key (a new key: rules cannot be added).',
        });
      }
    }
    return checks;
  }
}

/** A doctor check as the provider reports it (the shape of doctor's checks). */
export interface ProviderCheck {
  id: string;
  group: 'ovh' | 'placement';
  status: 'pass' | 'warn' | 'fail' | 'skip';
  title: string;
  detail: string;
  fix?: string;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function grantsCheck(rules: ReadonlyArray<{ method: string; path: string }> | null, addresses: string[]): ProviderCheck {
  const base = { id: 'ovh.grants:ip-move', group: 'ovh' as const, title: 'OVH access rules (ip-move)' };
  if (rules === null)
    return {
      ...base,
      status: 'warn',
      detail: "OVH did not list the key's access rules",
      fix: 'check that the key has GET /ip/* and POST /ip/*/move (docs/operations.md).',
    };
  const missing = new Set<string>();
  for (const address of addresses) for (const need of neededCalls(address)) if (!grants(rules, need.method, need.path)) missing.add(need.rule);
  if (missing.size > 0) {
    const list = [...missing].join(', ');
    return {
      ...base,
      status: 'fail',
      detail: `the consumer key lacks ${list}: a claim would refuse to start`,
      fix: `create a consumer key that also has ${list} and store it where carp-ovh reads it.`,
    };
  }
  return { ...base, status: 'pass', detail: 'the key may read the IPs and their tasks, and move them' };
}

function destinationCheck(address: string, holder: string | null, server: string, offered: string[]): ProviderCheck {
  const base = { id: `ovh.destination:${address}`, group: 'ovh' as const, title: `destinations of ${address}` };
  const list = offered.join(', ') || 'none';
  if (holder === server) {
    if (offered.length === 0)
      return {
        ...base,
        status: 'warn',
        detail: `${address} is here and OVH offers no other server to move it to: the peer could not take it over`,
        fix: 'check that both servers are in the same OVH account and location (GET /ip/{ip}/move lists the allowed ones).',
      };
    return { ...base, status: 'pass', detail: `the peer's server must be one of these for it to take ${address} over: ${list}` };
  }
  if (!offered.includes(server)) {
    return {
      ...base,
      status: 'fail',
      detail: `OVH does not offer ${server} as a destination for ${address} (it offers: ${list}): a claim here would refuse to start`,
      fix: "set failover[].server to this router's server as OVH names it, or move the IP to an account and location where it may go.",
    };
  }
  return { ...base, status: 'pass', detail: `${server} is a destination OVH offers for ${address}` };
}

/** The calls a claim makes for one IP, and the least-privilege rule that grants each. */
export function neededCalls(address: string): Array<{ method: string; path: string; rule: string }> {
  return [
    { method: 'GET', path: ipRulePath(address), rule: 'GET /ip/*' },
    { method: 'GET', path: ipRulePath(address, '/task/1'), rule: 'GET /ip/*' },
    { method: 'POST', path: ipRulePath(address, '/move'), rule: 'POST /ip/*/move' },
  ];
}
