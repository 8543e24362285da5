import { CarpOvhError } from '../../errors.ts';

/** A dedicated-server task as OVH returns it; only the fields carp-ovh relies on are checked. */
export interface OvhTask {
  taskId: number;
  function: string;
  status: string;
  comment?: string | null;
}

export type TaskPhase = 'pending' | 'done' | 'failed';

const PENDING = new Set(['init', 'todo', 'doing']);
const FAILED = new Set(['cancelled', 'customerError', 'ovhError']);

export function taskPhase(task: OvhTask): TaskPhase {
  if (task.status === 'done') return 'done';
  if (PENDING.has(task.status)) return 'pending';
  if (FAILED.has(task.status)) return 'failed';
  // An unknown status is most likely a new pending state: keep waiting, the deadline bounds it.
  return 'pending';
}

export function asTask(value: unknown, what: string): OvhTask {
  const task = value as Partial<OvhTask> | null;
  if (task === null || typeof task !== 'object' || typeof task.taskId !== 'number' || typeof task.status !== 'string') {
    throw new CarpOvhError(`OVH answered ${what} with something that is not a task (expected {taskId, status, …})`, {
      source: 'ovh',
      badInput: true,
    });
  }
  return { taskId: task.taskId, function: String(task.function ?? ''), status: task.status, comment: task.comment ?? null };
}

export function asStringList(value: unknown, what: string): string[] {
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw new CarpOvhError(`OVH answered ${what} with something that is not a list of strings`, { source: 'ovh', badInput: true });
  }
  return value as string[];
}
