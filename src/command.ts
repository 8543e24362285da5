import type { ChildProcess } from 'node:child_process';

/**
 * Every external command carp-ovh runs (ifconfig, sysctl, service scripts,
 * logger) starts here, on execa, with the rules they share: argv and never a
 * shell, a deadline that kills the whole process group, bounded output, a
 * fixed environment. execa is loaded on first use, never on the hook's path.
 *
 * The hook's detached claim worker is the one child started elsewhere
 * (src/cli/wiring/detach.ts): devd waits for the hook, and loading execa there
 * would add to every CARP event what node:child_process does for free.
 */

export interface CommandOptions {
  /** Deadline: then the whole process group gets SIGKILL. */
  timeoutMs: number;
  /** stdout and stderr together; past it the group gets SIGKILL. */
  maxOutputBytes?: number;
  /** The whole environment of the child (nothing of ours is passed on). */
  env?: Record<string, string>;
  /** Written to the child's stdin, which is then closed; without it stdin is /dev/null. */
  input?: string;
  cwd?: string;
  signal?: AbortSignal;
}

export interface StartOptions {
  /** Its own session and process group, and not waited for: it outlives us. */
  detached?: boolean;
  /** The whole environment of the child; ours when absent. */
  env?: Record<string, string>;
  cwd?: string;
}

/** A command that ran to its end, whatever its exit status. */
export interface CommandResult {
  stdout: string;
  stderr: string;
  exitCode: number | null;
  /** Set when the command was ended by a signal it did not get from us. */
  signal: NodeJS.Signals | null;
}

/** A command that did not run to its end: it could not start, or we stopped it. */
export class CommandError extends Error {
  /** `file arg…`: argv never carries a secret. */
  readonly command: string;
  readonly timedOut: boolean;
  readonly isCanceled: boolean;
  readonly outputTooLarge: boolean;
  /** The spawn error's code (ENOENT, EACCES…) when it could not start. */
  readonly code: string | undefined;
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;

  constructor(
    message: string,
    facts: {
      command: string;
      timedOut?: boolean;
      isCanceled?: boolean;
      outputTooLarge?: boolean;
      code?: string | undefined;
      exitCode?: number | null;
      signal?: NodeJS.Signals | null;
    },
  ) {
    super(message);
    this.name = 'CommandError';
    this.command = facts.command;
    this.timedOut = facts.timedOut ?? false;
    this.isCanceled = facts.isCanceled ?? false;
    this.outputTooLarge = facts.outputTooLarge ?? false;
    this.code = facts.code;
    this.exitCode = facts.exitCode ?? null;
    this.signal = facts.signal ?? null;
  }
}

/** What ifconfig, sysctl and service scripts get: a known PATH and the C locale, so output formats stay fixed. */
export const COMMAND_ENV: Readonly<Record<string, string>> = { PATH: '/sbin:/bin:/usr/sbin:/usr/bin', LC_ALL: 'C' };
export const MAX_OUTPUT_BYTES = 1024 * 1024;
/** After SIGKILL, how long to wait for the exit (a child in another session may hold the pipes) before answering anyway. */
const KILL_GRACE_MS = 1_000;

type Execa = typeof import('execa');
let loading: Promise<Execa> | undefined;

function loadExeca(): Promise<Execa> {
  loading ??= import('execa');
  return loading;
}

export interface CommandRunner {
  /** Spawns before returning (synchronously), then resolves once the command has ended. */
  run(file: string, args: readonly string[], options: CommandOptions): Promise<CommandResult>;
  /**
   * A long-lived child fed on stdin, output ignored, left to finish its input
   * when we exit (logger(1)), or detached to outlive us (notify-run).
   */
  start(file: string, args: readonly string[], options?: StartOptions): ChildProcess;
}

/** Loads execa once; the runner it returns spawns synchronously, for callers that must start children in order. */
export async function commandRunner(): Promise<CommandRunner> {
  const { execa } = await loadExeca();
  return {
    run: (file, args, options) => run(execa, file, args, options),
    start(file, args, options = {}) {
      const child = execa(file, [...args], {
        stdin: 'pipe',
        stdout: 'ignore',
        stderr: 'ignore',
        buffer: false,
        cleanup: false,
        reject: false,
        detached: options.detached ?? false,
        ...(options.env === undefined ? {} : { env: options.env, extendEnv: false }),
        ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      });
      // reject: false resolves with the failure; the caller watches the child's own events.
      void child.catch(() => undefined);
      return child;
    },
  };
}

export async function runCommand(file: string, args: readonly string[], options: CommandOptions): Promise<CommandResult> {
  return (await commandRunner()).run(file, args, options);
}

function run(execa: Execa['execa'], file: string, args: readonly string[], options: CommandOptions): Promise<CommandResult> {
  const command = [file, ...args].join(' ');
  const maxOutput = options.maxOutputBytes ?? MAX_OUTPUT_BYTES;
  // detached: its own process group, so a kill reaches what it started too.
  // cleanup: false, because our deadline owns its life (and execa would hook process signals for it).
  const child = execa(file, [...args], {
    ...(options.input === undefined ? { stdin: 'ignore' as const } : { input: options.input }),
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    env: options.env ?? COMMAND_ENV,
    extendEnv: false,
    detached: true,
    cleanup: false,
    shell: false,
    stripFinalNewline: false,
    reject: false,
  });
  let stoppedFor: 'timeout' | 'cancel' | 'output' | undefined;
  let grace: NodeJS.Timeout | undefined;
  let releaseGrace: () => void = () => undefined;
  const graceOver = new Promise<void>((resolve) => {
    releaseGrace = resolve;
  });

  const stop = (reason: 'timeout' | 'cancel' | 'output'): void => {
    if (stoppedFor !== undefined) return;
    stoppedFor = reason;
    killGroup(child);
    child.stdout?.destroy();
    child.stderr?.destroy();
    grace = setTimeout(releaseGrace, KILL_GRACE_MS);
  };
  const deadline = setTimeout(() => stop('timeout'), options.timeoutMs);
  const onAbort = (): void => stop('cancel');
  if (options.signal?.aborted === true) stop('cancel');
  else options.signal?.addEventListener('abort', onAbort, { once: true });
  let size = 0;
  const count = (chunk: Buffer | string): void => {
    size += chunk.length;
    if (size > maxOutput) stop('output');
  };
  child.stdout?.on('data', count);
  child.stderr?.on('data', count);

  return Promise.race([child, graceOver.then(() => null)]).then((result) => {
    clearTimeout(deadline);
    clearTimeout(grace);
    options.signal?.removeEventListener('abort', onAbort);
    const exitCode = result?.exitCode ?? null;
    const signal = (result?.signal as NodeJS.Signals | undefined) ?? null;
    if (stoppedFor !== undefined) {
      const what = {
        timeout: `did not finish within ${options.timeoutMs} ms and was killed`,
        cancel: 'was cancelled and killed',
        output: `printed more than ${maxOutput} bytes and was killed`,
      }[stoppedFor];
      throw new CommandError(`${command} ${what}`, {
        command,
        timedOut: stoppedFor === 'timeout',
        isCanceled: stoppedFor === 'cancel',
        outputTooLarge: stoppedFor === 'output',
        exitCode,
        signal,
      });
    }
    if (result === null) throw new Error('unreachable: the grace period runs only after a stop');
    if (result.failed && result.exitCode === undefined && result.signal === undefined) {
      // It never ran: spawn failed (ENOENT, EACCES…).
      const { code, originalMessage } = result as { code?: string; originalMessage?: string };
      throw new CommandError(originalMessage || result.shortMessage || `${command} could not start`, { command, code });
    }
    return { stdout: String(result.stdout ?? ''), stderr: String(result.stderr ?? ''), exitCode, signal };
  });
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}
