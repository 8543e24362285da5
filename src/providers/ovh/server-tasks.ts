import { CarpOvhError, isCarpOvhError } from '../../errors.ts';
import { sleep } from '../../sleep.ts';
import type { OvhApi } from './api.ts';
import { asTask, type OvhTask } from './task.ts';

/**
 * A dedicated server's task API. OVH answers `GET …/task/{id}` with 404 and 500
 * for a while (Terraform's OVH provider retries both for minutes), an
 * overloaded front with an HTML 408, and the connection may drop: none of that
 * says anything about the task, so reads try again at the poll interval until
 * the claim's deadline. Whether a task is gone is for the address list to say.
 */

/** The vMAC task functions that can hold an IP (dedicated.TaskFunctionEnum). */
export const VMAC_TASK_FUNCTIONS = ['virtualMacAdd', 'virtualMacDelete', 'removeVirtualMac', 'addVirtualMac'] as const;
/** dedicated.TaskStatusEnum values of a task still to finish. */
export const PENDING_TASK_STATUSES = ['init', 'todo', 'doing'] as const;

/** An answer that tells nothing about the task: try again later. */
export function isTransientTaskRead(error: CarpOvhError): boolean {
  if (error.isCanceled) return false;
  const status = error.status;
  return error.retryable || status === 404 || status === 408 || status === 429 || (status !== undefined && status >= 500);
}

export class ServerTasks {
  private readonly api: OvhApi;
  private readonly base: string;
  private readonly pollIntervalMs: number;

  constructor(api: OvhApi, server: string, pollIntervalMs: number) {
    this.api = api;
    this.base = `/dedicated/server/${server}`;
    this.pollIntervalMs = pollIntervalMs;
  }

  /** One read: the task, or the transient error that hid it; anything else throws. */
  async readOnce(taskId: number, signal: AbortSignal): Promise<{ task: OvhTask } | { unreadable: CarpOvhError }> {
    try {
      return { task: asTask(await this.api.getOnce(`${this.base}/task/${taskId}`, signal), `GET task/${taskId}`) };
    } catch (error) {
      if (!isCarpOvhError(error) || signal.aborted || !isTransientTaskRead(error)) throw error;
      return { unreadable: error };
    }
  }

  /**
   * Reads until OVH shows the task, trying again at the poll interval; `onMissing`
   * is asked after each transient failure and may end the wait (returns true when
   * the address list shows the task's effect, or OVH lists it pending no more).
   */
  async read(taskId: number, signal: AbortSignal, onMissing: (error: CarpOvhError) => Promise<boolean>): Promise<OvhTask | null> {
    for (;;) {
      const read = await this.readOnce(taskId, signal);
      if ('task' in read) return read.task;
      if (await onMissing(read.unreadable)) return null;
      await sleep(this.pollIntervalMs, signal);
    }
  }

  /**
   * The server's pending vMAC tasks, by id. `dedicated.server.Task` has no IP
   * field, so whose they are and which IP they hold cannot be told: a caller
   * waits them all out rather than guess. One query per pending status (any
   * function: 3 requests, where function × status would take 12 of the key's
   * ~60 a minute), then each task found is read for its function; one that
   * cannot be read counts as a vMAC task.
   */
  async pendingVmacTasks(signal: AbortSignal): Promise<number[]> {
    const lists = await Promise.all(
      PENDING_TASK_STATUSES.map(async (status) => {
        const path = `${this.base}/task?status=${status}`;
        return asIdList(await this.api.get(path, signal), `GET ${path}`);
      }),
    );
    const ids = [...new Set(lists.flat())].sort((a, b) => a - b);
    const vmac: ReadonlySet<string> = new Set(VMAC_TASK_FUNCTIONS);
    const kept = await Promise.all(
      ids.map(async (taskId) => {
        const read = await this.readOnce(taskId, signal).catch((error: unknown) => {
          if (signal.aborted) throw error;
          return null;
        });
        return read === null || !('task' in read) || vmac.has(read.task.function) ? [taskId] : [];
      }),
    );
    return kept.flat();
  }
}

function asIdList(value: unknown, what: string): number[] {
  if (!Array.isArray(value) || !value.every((item) => Number.isSafeInteger(item))) {
    throw new CarpOvhError(`OVH answered ${what} with something that is not a list of task ids`, { source: 'ovh', badInput: true });
  }
  return value as number[];
}
