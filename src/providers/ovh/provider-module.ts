import type { Config, FailoverEntry } from '../../config/types.ts';
import type { FailoverProvider, TaskJournal } from '../../core/ports/index.ts';
import type { OvhApi } from './api.ts';

/**
 * What every OVH mechanism (`via`) gets from the wiring: one API client per
 * session (sharing the rate limit), the task journal, this host's name. A
 * provider module builds a FailoverProvider for one failover entry; it may
 * share one per server or project within a context (the wiring makes a new
 * context per session).
 */
export interface OvhProviderContext {
  config: Config;
  api: OvhApi;
  journal: TaskJournal;
  hostname: string;
}

export interface OvhProviderModule {
  createProvider(entry: FailoverEntry, ctx: OvhProviderContext): FailoverProvider;
}
