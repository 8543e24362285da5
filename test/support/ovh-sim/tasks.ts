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
}

export interface SimTask extends TaskInit {
  taskId: number;
  startMs: number;
  doingMs: number;
  dueMs: number;
  finalStatus: TaskStatus | null;
  doneMs: number | null;
  comment: string | null;
}

export class TaskBook {
  private readonly tasks: SimTask[] = [];
  private nextId = 4_200_001;

  create(init: TaskInit, now: number): SimTask {
    const delay = Math.max(0, init.delayMs);
    const task: SimTask = {
      ...init,
      taskId: this.nextId++,
      startMs: now,
      doingMs: now + Math.floor(delay / 3),
      dueMs: now + delay,
      finalStatus: null,
      doneMs: null,
      comment: null,
    };
    this.tasks.push(task);
    return task;
  }

  settle(now: number): void {
    const due = this.tasks
      .filter((t) => t.finalStatus === null && t.outcome !== 'never' && t.dueMs <= now)
      .sort((a, b) => a.dueMs - b.dueMs || a.taskId - b.taskId);
    for (const task of due) {
      task.doneMs = task.dueMs;
      if (task.outcome === 'done') {
        const failure = task.apply();
        task.finalStatus = failure === null ? 'done' : 'ovhError';
        task.comment = failure;
      } else if (task.outcome !== 'never') {
        task.finalStatus = task.outcome;
        task.comment = `Task ended ${task.outcome} (injected)`;
      }
      if (task.finalStatus !== null) task.onSettled?.(task.finalStatus);
    }
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
      if (t.finalStatus === null && t.outcome !== 'never') last = Math.max(last ?? 0, t.dueMs);
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
