/** Running an operator's executable (health.scripts): no shell, its own process group, a deadline. */

export type ScriptOutcome =
  | { kind: 'exit'; code: number | null; signal: NodeJS.Signals | null; output: string }
  | { kind: 'timeout' }
  | { kind: 'too-much-output' }
  | { kind: 'error'; code: string | undefined; message: string };

/** A script runner that never uses a shell and kills the whole process group on timeout. */
export type ScriptRunner = (path: string, timeoutMs: number) => Promise<ScriptOutcome>;
