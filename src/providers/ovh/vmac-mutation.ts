import type { ClaimContext } from '../../core/ports/index.ts';
import { describeError, isCarpOvhError } from '../../errors.ts';
import { sleep } from '../../sleep.ts';
import type { OvhApi } from './api.ts';
import type { MacLists } from './mac-lists.ts';
import type { ServerTasks } from './server-tasks.ts';
import { asTask, taskPhase, type OvhTask } from './task.ts';
import type { TaskJournal } from '../../core/ports/index.ts';

/**
 * Sends one vMAC mutation (DELETE or POST of an address) and, whenever its
 * outcome is unknown, reads back what OVH shows instead of guessing.
 *
 * OVH documents no error codes for these calls. A 409 may mean our own earlier
 * call is pending, the peer's task is still `doing` after the list changed, or
 * the IP is on another vMAC; a 400 or 404 may mean "already done"; an HTML 408,
 * a reset or a timeout after the request left may hide an accepted call. So any
 * answer but a task is "outcome unknown": read the address list and the
 * server's pending vMAC tasks, wait out what is pending (tasks carry no IP, so
 * whose they are cannot be told: never assume one is ours), then accept what
 * the list shows, or send again. Only errors no retry can fix (credentials,
 * access rules) and the deadline end it.
 */

export interface Mutation {
  op: 'detach' | 'attach';
  method: 'POST' | 'DELETE';
  path: string;
  body?: Record<string, unknown>;
  address: string;
  /** The vMAC whose address list shows the effect (the holder for a detach, ours for an attach). */
  mac: string;
  /** How many times it is sent again when OVH shows neither its effect nor a pending task. */
  resends: number;
  /** Runs before each resend; throws to stop (the address went to another router meanwhile). */
  beforeResend?: () => Promise<void>;
}

export interface MutationDeps {
  api: OvhApi;
  lists: MacLists;
  tasks: ServerTasks;
  journal: TaskJournal;
  pollIntervalMs: number;
  /** Task reads while waiting out pending tasks before the lists and pending tasks are read again. */
  rereadEvery: number;
}

/** What the address list shows of the mutation's effect. */
export function effectShown(mutation: Pick<Mutation, 'op' | 'address'>, list: string[] | null): boolean {
  return mutation.op === 'detach' ? list === null || !list.includes(mutation.address) : list?.includes(mutation.address) === true;
}

/** Errors that no retry can fix: the peer should try with its own path to OVH. */
export function isAuthFailure(error: { status?: number; errorCode?: string }): boolean {
  return error.status === 401 || error.status === 403 || error.errorCode === 'INVALID_SIGNATURE';
}

export class VmacMutations {
  private readonly deps: MutationDeps;

  constructor(deps: MutationDeps) {
    this.deps = deps;
  }

  /**
   * Resolves with OVH's task for the call, or null when OVH already shows the
   * effect (the call, or an equivalent one, went through without us seeing its task).
   */
  async send(mutation: Mutation, ctx: ClaimContext): Promise<OvhTask | null> {
    const { api, lists, journal } = this.deps;
    const { method, path, address, mac, op } = mutation;
    for (let resends = 0; ; ) {
      await ctx.guard();
      let failure: unknown;
      try {
        const task = asTask(await api.mutate(method, path, mutation.body, ctx.signal), `${method} ${path}`);
        lists.invalidate(mac);
        await journal.record({ address, taskId: task.taskId, mac, op, at: new Date().toISOString() });
        ctx.log.info({ address, mac, taskId: task.taskId }, `${method} accepted (task ${task.taskId})`);
        return task;
      } catch (error) {
        if (!isCarpOvhError(error) || error.isCanceled || ctx.signal.aborted || isAuthFailure(error)) throw error;
        failure = error;
      }
      lists.invalidate(mac);
      ctx.log.warn(
        { address, mac, err: isCarpOvhError(failure) ? failure.toLogObject() : {} },
        `outcome of ${method} of ${address} on ${mac} unknown (${describeError(failure)}): reading back what OVH shows`,
      );
      let seen: 'shown' | 'absent' | 'unreadable';
      try {
        seen = await this.readBack(mutation, ctx);
      } catch (error) {
        if (!isCarpOvhError(error) || error.isCanceled || ctx.signal.aborted || isAuthFailure(error)) throw error;
        // Still unknown: sending again is safe, since OVH refuses a second call on a pending IP and the next answer is read back too.
        ctx.log.warn({ address, mac, err: error.toLogObject() }, `cannot read back ${address} on ${mac}: ${describeError(error)}`);
        seen = 'unreadable';
      }
      if (seen === 'shown') {
        ctx.log.info({ address, mac }, `OVH shows ${address} ${op === 'detach' ? 'off' : 'on'} ${mac}: the ${method} took effect`);
        return null;
      }
      if (resends >= mutation.resends) throw failure;
      resends += 1;
      await mutation.beforeResend?.();
      const err = isCarpOvhError(failure) ? failure.toLogObject() : {};
      if (op === 'attach') {
        ctx.log.warn(
          { address, mac, attempt: resends, err },
          `OVH shows no attach of ${address} and no task pending (attempt ${resends}); ${address} is detached, trying again`,
        );
      } else {
        ctx.log.warn(
          { address, mac, attempt: resends, err },
          `OVH shows no detach of ${address} and no task pending: sending DELETE again (${resends} of ${mutation.resends})`,
        );
      }
      await sleep(this.deps.pollIntervalMs, ctx.signal);
    }
  }

  /**
   * Reads the address list and the server's pending vMAC tasks until OVH shows
   * either the effect ('shown') or nothing pending that could still bring it ('absent').
   */
  async readBack(mutation: Pick<Mutation, 'op' | 'address' | 'mac'>, ctx: ClaimContext): Promise<'shown' | 'absent'> {
    const { lists, tasks } = this.deps;
    for (;;) {
      lists.invalidate(mutation.mac);
      if (effectShown(mutation, await lists.get(mutation.mac, ctx.signal))) return 'shown';
      const pending = await tasks.pendingVmacTasks(ctx.signal);
      if (pending.length === 0) {
        // A task may end between the two reads: the list decides once more.
        lists.invalidate(mutation.mac);
        return effectShown(mutation, await lists.get(mutation.mac, ctx.signal)) ? 'shown' : 'absent';
      }
      ctx.log.info(
        { address: mutation.address, taskIds: pending },
        `OVH has vMAC task${pending.length === 1 ? '' : 's'} ${pending.join(', ')} pending on this server (tasks name no IP): waiting for ${pending.length === 1 ? 'it' : 'them'} before deciding`,
      );
      await this.waitOut(pending, ctx);
    }
  }

  /** Polls the tasks until none is pending, or `rereadEvery` polls have passed (the caller then reads afresh). */
  private async waitOut(taskIds: number[], ctx: ClaimContext): Promise<void> {
    let left = [...taskIds];
    for (let polls = 0; left.length > 0 && polls < this.deps.rereadEvery; polls++) {
      await sleep(this.deps.pollIntervalMs, ctx.signal);
      await ctx.guard({ maxAgeMs: 250 });
      const still: number[] = [];
      for (const taskId of left) {
        // An unreadable task (404 while fresh, 500, 408, anything) stays on the list: only OVH's lists may say it is gone.
        const read = await this.deps.tasks.readOnce(taskId, ctx.signal).catch((error: unknown) => {
          if (ctx.signal.aborted || (isCarpOvhError(error) && error.isCanceled)) throw error;
          return null;
        });
        if (read === null || !('task' in read) || taskPhase(read.task) === 'pending') still.push(taskId);
      }
      left = still;
    }
  }
}
