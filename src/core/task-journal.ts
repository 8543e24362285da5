import type { TaskJournal, TaskJournalEntry } from '../providers/ovh/virtual-mac.ts';
import type { StateDir } from '../state.ts';

const FILE = 'pending-tasks.json';

/**
 * The provider's task journal, kept in the state dir so a claim that was killed
 * or superseded after a DELETE leaves its successor a note: wait for that task
 * rather than send a second mutation OVH would answer with 409.
 * Only the claim holding the claim lock touches it.
 */
export function stateTaskJournal(state: StateDir): TaskJournal {
  const read = async (): Promise<TaskJournalEntry[]> => {
    const { value } = await state.readJson<{ entries?: TaskJournalEntry[] }>(FILE);
    return Array.isArray(value?.entries) ? value.entries : [];
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
