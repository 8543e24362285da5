import { type ChildProcess, spawn } from 'node:child_process';

/**
 * Every external command carp-ovh runs (ifconfig, sysctl, service scripts,
 * logger) starts here, with the rules they share: argv and never a shell, a
 * deadline that kills the whole process group, bounded output, a fixed
 * environment.
 *
 * On node:child_process itself, not execa: the rules above were ours either
 * way, and every platform read spawns ifconfig, sysctl or ip. Measured on
 * the two-core test machine, execa cost 5 ms more CPU per spawn and left enough
 * garbage to grow a loop's heap; without it `check --every 100ms` went from
 * 38–44 to 27–30 ms of CPU per run, and a single `check` from 413 to 357 ms.
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

export interface CommandRunner {
  /** Spawns before returning (synchronously), then resolves once the command has ended. */
  run(file: string, args: readonly string[], options: CommandOptions): Promise<CommandResult>;
  /**
   * A long-lived child fed on stdin, output ignored, left to finish its input
   * when we exit (logger(1)), or detached to outlive us (notify-run). The caller
   * listens for its 'error' (a child that could not start).
   */
  start(file: string, args: readonly string[], options?: StartOptions): ChildProcess;
}

const RUNNER: CommandRunner = {
  run,
  start(file, args, options = {}) {
    return spawn(file, [...args], {
      stdio: ['pipe', 'ignore', 'ignore'],
      shell: false,
      detached: options.detached ?? false,
      ...(options.env === undefined ? {} : { env: options.env }),
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    });
  },
};

/** The runner, for callers that pass it on (the syslog sink, the notifier, the script runner). */
export function commandRunner(): CommandRunner {
  return RUNNER;
}

export function runCommand(file: string, args: readonly string[], options: CommandOptions): Promise<CommandResult> {
  return run(file, args, options);
}

type Stop = 'timeout' | 'cancel' | 'output';

const STOPPED: Record<Stop, (options: CommandOptions, maxOutput: number) => string> = {
  timeout: (options) => `did not finish within ${options.timeoutMs} ms and was killed`,
  cancel: () => 'was cancelled and killed',
  output: (_, maxOutput) => `printed more than ${maxOutput} bytes and was killed`,
};

function run(file: string, args: readonly string[], options: CommandOptions): Promise<CommandResult> {
  const command = [file, ...args].join(' ');
  const maxOutput = options.maxOutputBytes ?? MAX_OUTPUT_BYTES;
  // detached: its own process group, so a kill reaches what it started too.
  const child = spawn(file, [...args], {
    stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    env: options.env ?? COMMAND_ENV,
    detached: true,
    shell: false,
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
  });
  return new Promise<CommandResult>((resolve, reject) => {
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let size = 0;
    let stoppedFor: Stop | undefined;
    let grace: NodeJS.Timeout | undefined;
    let settled = false;

    const finish = (exitCode: number | null, signal: NodeJS.Signals | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      clearTimeout(grace);
      options.signal?.removeEventListener('abort', onAbort);
      if (stoppedFor !== undefined) {
        reject(
          new CommandError(`${command} ${STOPPED[stoppedFor](options, maxOutput)}`, {
            command,
            timedOut: stoppedFor === 'timeout',
            isCanceled: stoppedFor === 'cancel',
            outputTooLarge: stoppedFor === 'output',
            exitCode,
            signal,
          }),
        );
        return;
      }
      resolve({ stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8'), exitCode, signal });
    };
    const stop = (reason: Stop): void => {
      if (stoppedFor !== undefined || settled) return;
      stoppedFor = reason;
      killGroup(child);
      child.stdout?.destroy();
      child.stderr?.destroy();
      // A grandchild in another session may keep the pipes: answer after the grace anyway.
      grace = setTimeout(() => finish(child.exitCode, child.signalCode), KILL_GRACE_MS);
    };
    const deadline = setTimeout(() => stop('timeout'), options.timeoutMs);
    const onAbort = (): void => stop('cancel');
    const collect =
      (into: Buffer[]) =>
      (chunk: Buffer): void => {
        size += chunk.length;
        if (size > maxOutput) stop('output');
        else into.push(chunk);
      };
    child.stdout?.on('data', collect(stdout));
    child.stderr?.on('data', collect(stderr));

    child.on('error', (error: NodeJS.ErrnoException) => {
      if (child.pid !== undefined) return; // started; its end comes with 'close'
      // It never ran (ENOENT, EACCES…).
      settled = true;
      clearTimeout(deadline);
      options.signal?.removeEventListener('abort', onAbort);
      reject(new CommandError(error.message || `${command} could not start`, { command, code: error.code }));
    });
    child.once('close', (exitCode: number | null, signal: NodeJS.Signals | null) => finish(exitCode, signal));

    if (options.input !== undefined && child.stdin !== null) {
      // A child that exits without reading its input closes the pipe: that is its answer, not ours.
      child.stdin.on('error', () => undefined);
      child.stdin.end(options.input);
    }
    if (options.signal?.aborted === true) stop('cancel');
    else options.signal?.addEventListener('abort', onAbort, { once: true });
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
