import type { SimTaskView, TaskOutcome, TaskStatus } from './types.ts';

/**
 * OVH accepts a mutation at once and applies it when its task completes
 * (~30 s per step in the seed log). Tasks are settled lazily: every request and
 * every control-API read first applies the tasks whose time has come, in due
 * order, so no timer has to be cleaned up and the order of effects is exact.
 */
export interface TaskInit {
  fn: string;
  /** Whose task list it belongs to: `dedicated:<sn>`, `ip:<ip>`, `cloud:<project>`. */
  owner: string;
  /** What it changes (an IP): a second mutation on it while pending answers 409. */
  target: string;
  delayMs: number;
  outcome: TaskOutcome;
  /** Applies the change; returns a failure comment when it no longer can (the task then ends ovhError). */
  apply: () => string | null;
  /** Runs once the task ends, whatever its status. */
  onSettled?: (status: TaskStatus) => void;
  /** Destination server of an IP move, shown in the IpTask. */
  destination?: string;
  /**
   * When the change shows against the task's status (a dialect: OVH does not
   * document it): `with-task` applies it as the task ends `done`; `list-first`
   * applies it at the due time and ends the task `lagMs` later (the IP stays
   * busy: a mutation on it answers 409); `task-first` ends the task at the due
   * time and applies the change `lagMs` later.
   */
  visibility?: { order: 'with-task' | 'list-first' | 'task-first'; lagMs: number };
}

export interface SimTask extends TaskInit {
  taskId: number;
  startMs: number;
  doingMs: number;
  /** When the task's status becomes final. */
  dueMs: number;
  /** When its change is applied (the address lists show it). */
  applyMs: number;
  applied: boolean;
  /** The change could not be applied: the task ends ovhError with this comment. */
  applyFailure: string | null;
  finalStatus: TaskStatus | null;
  doneMs: number | null;
  comment: string | null;
  /** GET task/{id} answers so far (for the "404 while fresh" dialect). */
  reads: number;
}

export class TaskBook {
  private readonly tasks: SimTask[] = [];
  private nextId = 4_200_001;

  create(init: TaskInit, now: number): SimTask {
    const delay = Math.max(0, init.delayMs);
    const order = init.visibility?.order ?? 'with-task';
    const lag = Math.max(0, init.visibility?.lagMs ?? 0);
    const due = now + delay;
    const task: SimTask = {
      ...init,
      taskId: this.nextId++,
      startMs: now,
      doingMs: now + Math.floor(delay / 3),
      dueMs: order === 'list-first' ? due + lag : due,
      applyMs: order === 'task-first' ? due + lag : due,
      applied: false,
      applyFailure: null,
      finalStatus: null,
      doneMs: null,
      comment: null,
      reads: 0,
    };
    this.tasks.push(task);
    return task;
  }

  /** Applies the changes and ends the tasks whose time has come, in time order (an apply before an end at the same time). */
  settle(now: number): void {
    type Step = { at: number; task: SimTask; kind: 'apply' | 'end' };
    const steps: Step[] = [];
    for (const task of this.tasks) {
      if (task.outcome === 'never') continue;
      if (task.outcome === 'done' && !task.applied && task.applyMs <= now) steps.push({ at: task.applyMs, task, kind: 'apply' });
      if (task.finalStatus === null && task.dueMs <= now) steps.push({ at: task.dueMs, task, kind: 'end' });
    }
    steps.sort((a, b) => a.at - b.at || (a.kind === b.kind ? 0 : a.kind === 'apply' ? -1 : 1) || a.task.taskId - b.task.taskId);
    for (const { task, kind } of steps) {
      if (kind === 'apply') {
        task.applied = true;
        task.applyFailure = task.apply();
        // A change that cannot be applied ends its task at once, whatever the dialect.
        if (task.applyFailure !== null && task.finalStatus === null) this.end(task, 'ovhError', task.applyFailure, Math.max(task.applyMs, task.startMs));
        continue;
      }
      if (task.outcome === 'done') this.end(task, task.applyFailure === null ? 'done' : 'ovhError', task.applyFailure, task.dueMs);
      else if (task.outcome !== 'never') this.end(task, task.outcome, `Task ended ${task.outcome} (injected)`, task.dueMs);
    }
  }

  private end(task: SimTask, status: TaskStatus, comment: string | null, at: number): void {
    if (task.finalStatus !== null) return;
    task.finalStatus = status;
    task.comment = comment;
    task.doneMs = at;
    task.onSettled?.(status);
  }

  status(task: SimTask, now: number): TaskStatus {
    if (task.finalStatus !== null) return task.finalStatus;
    return now < task.doingMs ? 'todo' : 'doing';
  }

  pendingOn(target: string): SimTask | undefined {
    return this.tasks.find((t) => t.target === target && t.finalStatus === null);
  }

  find(owner: string, taskId: number): SimTask | undefined {
    return this.tasks.find((t) => t.owner === owner && t.taskId === taskId);
  }

  list(owner?: string): SimTask[] {
    return owner === undefined ? [...this.tasks] : this.tasks.filter((t) => t.owner === owner);
  }

  /** Ends tasks stuck by a `never` fault, without applying them (test clean-up). */
  cancelStuck(now: number): void {
    for (const task of this.tasks) {
      if (task.finalStatus === null && task.outcome === 'never') {
        task.finalStatus = 'cancelled';
        task.doneMs = now;
        task.comment = 'Cancelled by the simulator';
        task.onSettled?.('cancelled');
      }
    }
  }

  /** Lets tasks held by a `never` fault finish now, as `done` (a test that must see a task pending first). */
  releaseStuck(now: number): void {
    for (const task of this.tasks) {
      if (task.finalStatus === null && task.outcome === 'never') {
        task.outcome = 'done';
        task.dueMs = Math.max(task.startMs, now);
      }
    }
  }

  /** When the last task that will ever finish on its own is due, or null when none is pending. */
  lastDue(): number | null {
    let last: number | null = null;
    for (const t of this.tasks) {
      if (t.outcome === 'never') continue;
      if (t.finalStatus === null) last = Math.max(last ?? 0, t.dueMs);
      if (t.outcome === 'done' && !t.applied) last = Math.max(last ?? 0, t.applyMs);
    }
    return last;
  }

  view(task: SimTask, now: number): SimTaskView {
    return {
      taskId: task.taskId,
      function: task.fn,
      status: this.status(task, now),
      owner: task.owner,
      target: task.target,
      startMs: task.startMs,
      dueMs: task.dueMs,
    };
  }
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

/** The fields every OVH task type shares. */
function taskFields(book: TaskBook, task: SimTask, now: number): Record<string, unknown> {
  const status = book.status(task, now);
  return {
    taskId: task.taskId,
    function: task.fn,
    status,
    comment: task.comment,
    startDate: iso(task.startMs),
    doneDate: iso(task.doneMs),
    lastUpdate: iso(task.doneMs ?? (status === 'doing' ? task.doingMs : task.startMs)),
  };
}

/** `dedicated.server.Task` as the API returns it. */
export function dedicatedTaskJson(book: TaskBook, task: SimTask, now: number): Record<string, unknown> {
  return { ...taskFields(book, task, now), needSchedule: false, plannedInterventionId: null, ticketReference: null };
}

/** `ip.IpTask` as the API returns it. */
export function ipTaskJson(book: TaskBook, task: SimTask, now: number): Record<string, unknown> {
  // ip.RoutedTo has serviceName only: the nexthop asked for is not echoed.
  return { ...taskFields(book, task, now), destination: task.destination === undefined ? null : { serviceName: task.destination } };
}
