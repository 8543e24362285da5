/**
 * Every interface the core depends on, one concern per file. Adapters
 * (src/platform/, src/providers/, src/secrets/) implement them and may import
 * from here; nothing here imports an adapter.
 */
export type * from './checks.ts';
export type * from './commands.ts';
export type * from './files.ts';
export type * from './install.ts';
export type * from './log.ts';
export type * from './ovh-api.ts';
export type * from './platform.ts';
export type * from './provider.ts';
export type * from './secrets.ts';
export type * from './state.ts';
export type * from './task-journal.ts';
