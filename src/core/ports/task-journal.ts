/**
 * Tasks a provider submitted at OVH and has not seen finish, kept across crashes
 * and superseded claims so the next claim waits for them instead of sending a
 * second mutation (src/core/task-journal.ts keeps it in the state dir).
 */

export interface TaskJournalEntry {
  address: string;
  taskId: number;
  mac: string;
  op: 'detach' | 'attach';
  at: string;
}

export interface TaskJournal {
  list(): Promise<TaskJournalEntry[]>;
  record(entry: TaskJournalEntry): Promise<void>;
  forget(address: string, taskId: number): Promise<void>;
}
