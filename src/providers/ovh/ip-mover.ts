import { formatDuration } from '../../duration.ts';
import { CarpOvhError, isCarpOvhError } from '../../errors.ts';
import { sleep } from '../../sleep.ts';
import type { ClaimContext, ClaimStep } from '../../core/ports/index.ts';
import type { IpApi } from './ip-api.ts';
import { taskPhase, type OvhTask } from './task.ts';

/**
 * Moving a failover IP between dedicated servers (`POST /ip/{ip}/move`, one
 * `genericMoveFloatingIp` IpTask), shared by `via: ip-move` and the
 * virtual-MAC claim when OVH routes the IP to another server. Moved means
 * `GET /ip/{ip}` shows `routedTo.serviceName == server` and our task is over.
 */

export interface MoveTarget {
  server: string;
  /** Sent as `nexthop` when set. */
  nexthop: string | null;
}

export interface IpMoverOptions {
  pollIntervalMs: number;
  /** How many times a move whose answer was lost, and that left no task behind, is sent again. */
  retries: number;
}

const WAIT_GUARD_MAX_AGE_MS = 250;
/** A move task that ends in failure this many times is not sent again. */
const MAX_FAILED_TASKS = 2;

type WaitResult = { ok: true } | { ok: false; task: OvhTask };

export class IpMover {
  private readonly ip: IpApi;
  private readonly options: IpMoverOptions;

  constructor(ip: IpApi, options: IpMoverOptions) {
    this.ip = ip;
    this.options = options;
  }

  /**
   * Makes OVH route `address` to `server`, from wherever it is: waits out any
   * move pending on it, re-checks MASTER, POSTs the move, and waits until the
   * task is over and the route shows `server`. `known`: the pending moves
   * already read (with a preflight), used instead of a first read of them.
   */
  async moveHere(address: string, to: MoveTarget, from: string | null, ctx: ClaimContext, steps: ClaimStep[], known: number[] | null = null): Promise<void> {
    const { server, nexthop } = to;
    const { retries, pollIntervalMs } = this.options;
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
      const result = await this.waitMoved(address, server, task, ctx);
      const ms = Date.now() - waitStarted;
      steps.push({ step: 'wait-moved', ms });
      if (result.ok) {
        ctx.log.info({ address, server, waitedMs: ms }, `${address} routed to ${server} after ${formatDuration(ms)}`);
        return;
      }
      failedTasks += 1;
      ctx.log.warn(
        { address, server, taskId: result.task.taskId, status: result.task.status, comment: result.task.comment },
        `move task of ${address} ended ${result.task.status}`,
      );
      if ((await this.ip.routedTo(address, ctx.signal)) === server) return;
      if (failedTasks >= MAX_FAILED_TASKS) {
        throw new CarpOvhError(
          `OVH could not move ${address} to ${server}: task ${result.task.taskId} ended ${result.task.status} (${failedTasks} tasks failed)`,
          { source: 'ovh' },
        );
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
  private async waitMoved(address: string, server: string, task: OvhTask, ctx: ClaimContext): Promise<WaitResult> {
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
      if ((await this.ip.routedTo(address, ctx.signal)) === server) return { ok: true };
    }
  }
}

/** Errors that no retry can fix: the peer should try with its own path to OVH. */
function isAuthError(error: CarpOvhError): boolean {
  return error.status === 401 || error.status === 403 || error.errorCode === 'INVALID_SIGNATURE';
}
