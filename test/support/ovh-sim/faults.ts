import { matchesWildcard } from './paths.ts';
import type { FaultAction, FaultSpec, TaskOutcome } from './types.ts';

interface ActiveFault extends FaultSpec {
  id: number;
  remaining: number;
}

/** What the matching faults do to one request: wait first, then at most one answer-shaping action. */
export interface FaultPlan {
  delayMs: number;
  terminal: Exclude<FaultAction, { type: 'delay' } | { type: 'task' }> | null;
  delayed: boolean;
}

/**
 * Faults are matched on the method and the decoded path below /1.0. Every
 * matching fault of the relevant kind is consumed (its `times` counts down);
 * task faults are consumed only when the call really creates a task.
 */
export class FaultBook {
  private faults: ActiveFault[] = [];
  private nextId = 1;

  add(spec: FaultSpec): number {
    const id = this.nextId++;
    this.faults.push({ ...spec, id, remaining: spec.times ?? Number.POSITIVE_INFINITY });
    return id;
  }

  remove(id: number): void {
    this.faults = this.faults.filter((f) => f.id !== id);
  }

  clear(): void {
    this.faults = [];
  }

  list(): FaultSpec[] {
    return this.faults.map(({ id: _id, remaining, ...spec }) => ({
      ...spec,
      ...(Number.isFinite(remaining) ? { times: remaining } : {}),
    }));
  }

  /** Consumes the delay and answer faults matching this request. */
  plan(method: string, path: string): FaultPlan {
    const plan: FaultPlan = { delayMs: 0, terminal: null, delayed: false };
    for (const fault of this.matching(method, path)) {
      const action = fault.action;
      if (action.type === 'task') continue;
      if (action.type === 'delay') {
        plan.delayMs += action.ms;
        plan.delayed = true;
        this.consume(fault);
      } else if (plan.terminal === null) {
        plan.terminal = action;
        this.consume(fault);
      }
    }
    return plan;
  }

  takeTaskOutcome(method: string, path: string): TaskOutcome {
    for (const fault of this.matching(method, path)) {
      if (fault.action.type === 'task') {
        this.consume(fault);
        return fault.action.outcome;
      }
    }
    return 'done';
  }

  private matching(method: string, path: string): ActiveFault[] {
    return this.faults.filter((f) => f.remaining > 0 && (f.method === undefined || f.method === method) && matchesWildcard(f.path, path));
  }

  private consume(fault: ActiveFault): void {
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.remove(fault.id);
  }
}
