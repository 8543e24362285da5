import { formatDuration } from '../../duration.ts';
import { CarpOvhError, deadlineAware, isCarpOvhError } from '../../errors.ts';
import { sleep } from '../../sleep.ts';
import type { AddressOutcome, ClaimContext, ClaimRequest, ClaimStep, FailoverProvider, Placement } from '../../core/ports.ts';
import type { OvhApi } from '../ovh/api.ts';
import { taskPhase, type OvhTask } from '../ovh/task.ts';
import { grants, IpApi, ipPath, ipRulePath } from './ip-api.ts';

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

/** A mutating call a claim would send (dry-run). */
export interface PlannedCall {
  address: string;
  from: string | null;
  to: string;
  method: 'POST';
  path: string;
  body: Record<string, unknown>;
}

const WAIT_GUARD_MAX_AGE_MS = 250;
/** A move task that ends in failure this many times is not sent again. */
const MAX_FAILED_TASKS = 2;

type WaitResult = { ok: true } | { ok: false; task: OvhTask };

export class IpMoveProvider implements FailoverProvider {
  private readonly options: IpMoveOptions;
  private readonly ip: IpApi;

  constructor(options: IpMoveOptions) {
    this.options = options;
    this.ip = new IpApi(options.api);
  }

  get server(): string {
    return this.options.server;
  }

  async locate(addresses: string[], options: { signal?: AbortSignal } = {}): Promise<Placement[]> {
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
          await this.moveOne(address, holder, ctx, steps, pending.get(address) ?? null);
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

  /** `known`: the pending moves read with the preflight, used instead of a first read of them. */
  private async moveOne(address: string, from: string | null, ctx: ClaimContext, steps: ClaimStep[], known: number[] | null): Promise<void> {
    const { server, nexthop, retries, pollIntervalMs } = this.options;
    let failedTasks = 0;
    let lostAnswers = 0;
    // After a lost answer OVH's state is read again before anything is sent.
    let recheck = false;
    for (;;) {
      // Any move pending on this IP (the peer's, or ours from a claim whose answer was lost) goes first.
      const waited = await this.waitOutPendingMoves(address, ctx, steps, known);
      known = null;
      if (waited || recheck) {
        if ((await this.ip.routedTo(address, ctx.signal)) === server) return;
      }
      recheck = false;

      await ctx.guard();
      ctx.log.info({ address, from, server }, `Moving ${address} to ${server}${nexthop === null ? '' : ` via ${nexthop}`}`);
      const started = Date.now();
      let task: OvhTask;
      try {
        task = await this.ip.move(address, server, nexthop, ctx.signal);
      } catch (error) {
        if (!isCarpOvhError(error) || error.isCanceled || ctx.signal.aborted || isAuthError(error)) throw error;
        // Outcome unknown: OVH may have taken the move. Read back and go on from what it shows.
        ctx.log.warn({ address, server, err: error.toLogObject() }, `POST move of ${address} got no usable answer; reading OVH's state back`);
        steps.push({ step: 'move', ms: Date.now() - started, detail: `answer lost: ${error.message}` });
        if ((await this.ip.routedTo(address, ctx.signal)) === server) return;
        recheck = true;
        if ((await this.ip.pendingMoves(address, ctx.signal)).length > 0) continue;
        lostAnswers += 1;
        if (lostAnswers > retries) throw error;
        await sleep(pollIntervalMs, ctx.signal);
        continue;
      }
      steps.push({ step: 'move', ms: Date.now() - started, detail: `task ${task.taskId}` });
      ctx.log.info({ address, server, taskId: task.taskId }, `move of ${address} accepted (task ${task.taskId})`);

      const waitStarted = Date.now();
      const result = await this.waitMoved(address, task, ctx);
      const ms = Date.now() - waitStarted;
      steps.push({ step: 'wait-moved', ms });
      if (result.ok) {
        ctx.log.info({ address, server, waitedMs: ms }, `${address} routed to ${server} after ${formatDuration(ms)}`);
        return;
      }
      failedTasks += 1;
      ctx.log.warn({ address, server, taskId: result.task.taskId, status: result.task.status, comment: result.task.comment }, `move task of ${address} ended ${result.task.status}`);
      if ((await this.ip.routedTo(address, ctx.signal)) === server) return;
      if (failedTasks >= MAX_FAILED_TASKS) {
        throw new CarpOvhError(`OVH could not move ${address} to ${server}: task ${result.task.taskId} ended ${result.task.status} (${failedTasks} tasks failed)`, { source: 'ovh' });
      }
    }
  }

  /** Waits until no move task is pending on the IP; true when there was one. */
  private async waitOutPendingMoves(address: string, ctx: ClaimContext, steps: ClaimStep[], known: number[] | null = null): Promise<boolean> {
    const started = Date.now();
    const pending = known ?? (await this.ip.pendingMoves(address, ctx.signal));
    if (pending.length === 0) return false;
    ctx.log.info({ address, tasks: pending }, `a move of ${address} is pending at OVH (task ${pending.join(', ')}): waiting for it first`);
    for (const taskId of pending) {
      for (;;) {
        let task: OvhTask;
        try {
          task = await this.ip.task(address, taskId, ctx.signal);
        } catch (error) {
          if (!isCarpOvhError(error) || error.isCanceled || ctx.signal.aborted) throw error;
          // Listed as pending but unreadable: the list is asked again below.
          break;
        }
        if (taskPhase(task) !== 'pending') break;
        await sleep(this.options.pollIntervalMs, ctx.signal);
        await ctx.guard({ maxAgeMs: WAIT_GUARD_MAX_AGE_MS });
      }
    }
    steps.push({ step: 'wait-pending', ms: Date.now() - started, detail: `task ${pending.join(', ')}` });
    // Another may have been queued meanwhile.
    await this.waitOutPendingMoves(address, ctx, steps);
    return true;
  }

  /**
   * Polls the task until it ends, then the IP until OVH routes it here (whether
   * the route shows before, at or after `done` is undocumented). A task that
   * cannot be read is no reason to stop: the route alone tells success.
   */
  private async waitMoved(address: string, task: OvhTask, ctx: ClaimContext): Promise<WaitResult> {
    let taskOver = false;
    for (;;) {
      await sleep(this.options.pollIntervalMs, ctx.signal);
      await ctx.guard({ maxAgeMs: WAIT_GUARD_MAX_AGE_MS });
      if (!taskOver) {
        try {
          const now = await this.ip.task(address, task.taskId, ctx.signal);
          const phase = taskPhase(now);
          if (phase === 'failed') return { ok: false, task: now };
          if (phase === 'pending') continue;
        } catch (error) {
          if (!isCarpOvhError(error) || error.isCanceled || ctx.signal.aborted) throw error;
          ctx.log.warn({ address, taskId: task.taskId, err: error.toLogObject() }, `cannot read task ${task.taskId}; waiting on the route alone`);
        }
        taskOver = true;
      }
      if ((await this.ip.routedTo(address, ctx.signal)) === this.options.server) return { ok: true };
    }
  }
}

/** The calls a claim makes for one IP, and the least-privilege rule that grants each. */
export function neededCalls(address: string): Array<{ method: string; path: string; rule: string }> {
  return [
    { method: 'GET', path: ipRulePath(address), rule: 'GET /ip/*' },
    { method: 'GET', path: ipRulePath(address, '/task/1'), rule: 'GET /ip/*' },
    { method: 'POST', path: ipRulePath(address, '/move'), rule: 'POST /ip/*/move' },
  ];
}

/** Errors that no retry can fix: the peer should try with its own path to OVH. */
function isAuthError(error: CarpOvhError): boolean {
  return error.status === 401 || error.status === 403 || error.errorCode === 'INVALID_SIGNATURE';
}
