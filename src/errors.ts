/**
 * One error class for the whole tool, with boolean facts instead of subclasses
 * (the model of execa's errors): callers branch on `retryable`, `timedOut`,
 * `badInput`…, and the CLI top level maps the facts to an exit code.
 */
export type ErrorSource = 'cli' | 'config' | 'ovh' | 'vault' | 'secrets' | 'platform' | 'state' | 'claim' | 'internal';

export interface ErrorFacts {
  source: ErrorSource;
  /** Bad input from the operator or a caller (arguments, config, an API answer of the wrong shape): exit 2. */
  badInput?: boolean;
  /** Worth trying again (5xx, dropped connection, timeout). Never set on auth errors. */
  retryable?: boolean;
  timedOut?: boolean;
  /** The operation was cancelled on purpose (superseded event, router no longer MASTER). */
  isCanceled?: boolean;
  /** HTTP status when there was one; 0 when the request never got an answer. */
  status?: number;
  /** OVH `errorCode` (NOT_GRANTED_CALL, INVALID_SIGNATURE…) or errno code (ECONNREFUSED…). */
  errorCode?: string;
  /** OVH `X-Ovh-QueryID`, which OVH support asks for. */
  queryId?: string;
  /** File the problem is in (config, secretsmith file, state file). */
  file?: string;
  /** Individual problems, each `path: message` (config validation). */
  problems?: string[];
  cause?: unknown;
}

export class CarpOvhError extends Error {
  readonly source: ErrorSource;
  readonly badInput: boolean;
  readonly retryable: boolean;
  readonly timedOut: boolean;
  readonly isCanceled: boolean;
  readonly status: number | undefined;
  readonly errorCode: string | undefined;
  readonly queryId: string | undefined;
  readonly file: string | undefined;
  readonly problems: string[];

  constructor(message: string, facts: ErrorFacts) {
    super(message, facts.cause === undefined ? undefined : { cause: facts.cause });
    this.name = 'CarpOvhError';
    this.source = facts.source;
    this.badInput = facts.badInput ?? false;
    this.retryable = facts.retryable ?? false;
    this.timedOut = facts.timedOut ?? false;
    this.isCanceled = facts.isCanceled ?? false;
    this.status = facts.status;
    this.errorCode = facts.errorCode;
    this.queryId = facts.queryId;
    this.file = facts.file;
    this.problems = facts.problems ?? [];
  }

  /** The fields worth a log line: never the cause chain, which may carry request options. */
  toLogObject(): Record<string, unknown> {
    const out: Record<string, unknown> = { source: this.source, message: this.message };
    if (this.status !== undefined) out.status = this.status;
    if (this.errorCode !== undefined) out.errorCode = this.errorCode;
    if (this.queryId !== undefined) out.queryId = this.queryId;
    if (this.badInput) out.badInput = true;
    if (this.retryable) out.retryable = true;
    if (this.timedOut) out.timedOut = true;
    if (this.isCanceled) out.isCanceled = true;
    if (this.file !== undefined) out.file = this.file;
    if (this.problems.length > 0) out.problems = this.problems;
    return out;
  }
}

export function isCarpOvhError(error: unknown): error is CarpOvhError {
  return error instanceof CarpOvhError;
}

/**
 * Inside a claim the only abort signal is the deadline's, so an adapter that
 * reports "cancelled" after it fired was cut short by the deadline: a failure.
 * Only the claim's own guard (no longer MASTER, superseded) is a cancellation.
 */
export function deadlineAware(error: unknown, signal: AbortSignal): CarpOvhError {
  const guardStop = isCarpOvhError(error) && error.isCanceled && error.source === 'claim';
  if (signal.aborted && !guardStop) {
    const during = error instanceof Error ? `: ${error.message}` : '';
    return new CarpOvhError(`the claim deadline (ovh.deadline) passed${during}`, { source: 'claim', timedOut: true, cause: error });
  }
  if (isCarpOvhError(error)) return error;
  return new CarpOvhError(error instanceof Error ? error.message : String(error), { source: 'internal', cause: error });
}

/** Exit codes of the user-facing contract (docs/cli.md). */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_BAD_INPUT = 2;

export function exitCodeFor(error: unknown): number {
  return isCarpOvhError(error) && error.badInput ? EXIT_BAD_INPUT : EXIT_FAILED;
}

/** A one-line description for humans; never includes a stack. */
export function describeError(error: unknown): string {
  if (isCarpOvhError(error)) {
    const parts = [error.message];
    const facts: string[] = [];
    if (error.status !== undefined && error.status !== 0) facts.push(`status ${error.status}`);
    // Adapters often already name the code in the message; saying it twice reads as two errors.
    if (error.errorCode !== undefined && !error.message.includes(error.errorCode)) facts.push(error.errorCode);
    if (error.queryId !== undefined) facts.push(`X-Ovh-QueryID ${error.queryId}`);
    if (facts.length > 0) parts.push(`(${facts.join(', ')})`);
    return parts.join(' ');
  }
  if (error instanceof Error) return error.message;
  return String(error);
}
