import type { StateStore, TaskJournal, TaskJournalEntry } from './ports/index.ts';

const FILE = 'pending-tasks.json';

/**
 * The provider's task journal, kept in the state dir so a claim that was killed
 * or superseded after a DELETE leaves its successor a note: wait for that task
 * rather than send a second mutation OVH would answer with 409.
 * Only the claim holding the claim lock touches it.
 */
export function stateTaskJournal(state: StateStore): TaskJournal {
  const read = async (): Promise<TaskJournalEntry[]> => {
    const { value } = await state.readJson<{ entries?: unknown }>(FILE);
    // A hand-edited or half-migrated entry must not fail every claim from now on: drop it.
    return Array.isArray(value?.entries) ? value.entries.filter(isEntry) : [];
  };
  return {
    list: read,
    record: async (entry) => {
      const entries = (await read()).filter((e) => !(e.address === entry.address && e.taskId === entry.taskId));
      await state.writeJson(FILE, { entries: [...entries, entry] });
    },
    forget: async (address, taskId) => {
      const entries = await read();
      const kept = entries.filter((e) => !(e.address === address && e.taskId === taskId));
      if (kept.length !== entries.length) await state.writeJson(FILE, { entries: kept });
    },
  };
}

function isEntry(value: unknown): value is TaskJournalEntry {
  if (value === null || typeof value !== 'object') return false;
  const entry = value as Partial<Record<keyof TaskJournalEntry, unknown>>;
  return (
    typeof entry.address === 'string' &&
    Number.isSafeInteger(entry.taskId) &&
    (entry.taskId as number) > 0 &&
    typeof entry.mac === 'string' &&
    /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(entry.mac) &&
    (entry.op === 'detach' || entry.op === 'attach')
  );
}
