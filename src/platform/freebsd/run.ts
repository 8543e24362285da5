import { spawn, type ChildProcess } from 'node:child_process';

/**
 * Runs one system command without a shell and never waits past its deadline.
 *
 * node:child_process rather than execa: it is already loaded, costs nothing on the
 * devd path, and this needs only argv, a timeout and a kill. The child gets its own
 * process group so the kill also reaches anything it started (a wrapper script's
 * node, a stuck helper), and the answer does not wait for pipes a grandchild holds.
 */

export type RunOutcome =
  | { ok: true; stdout: string; stderr: string; exitCode: number | null; signal: NodeJS.Signals | null }
  | { ok: false; reason: 'spawn'; code: string | undefined; message: string }
  | { ok: false; reason: 'timeout' }
  | { ok: false; reason: 'output' };

export interface RunOptions {
  timeoutMs: number;
  maxOutputBytes?: number;
}

/** ifconfig and sysctl need nothing from our environment; C locale keeps the output format fixed. */
const CHILD_ENV = { PATH: '/sbin:/bin:/usr/sbin:/usr/bin', LC_ALL: 'C' };
/** After SIGKILL, how long to wait for the exit before answering anyway. */
const KILL_GRACE_MS = 1_000;

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

function stopped(reason: 'timeout' | 'output'): RunOutcome {
  return reason === 'timeout' ? { ok: false, reason } : { ok: false, reason };
}

export function runCommand(file: string, args: readonly string[], options: RunOptions): Promise<RunOutcome> {
  const maxOutput = options.maxOutputBytes ?? 1024 * 1024;
  return new Promise((resolve) => {
    let child: ChildProcess;
    try {
      child = spawn(file, [...args], { stdio: ['ignore', 'pipe', 'pipe'], env: CHILD_ENV, detached: true, shell: false });
    } catch (error) {
      const err = error as NodeJS.ErrnoException;
      resolve({ ok: false, reason: 'spawn', code: err.code, message: err.message });
      return;
    }

    let settled = false;
    let killedFor: 'timeout' | 'output' | undefined;
    let graceTimer: NodeJS.Timeout | undefined;
    let deadline: NodeJS.Timeout | undefined;
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let size = 0;

    const settle = (outcome: RunOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      clearTimeout(graceTimer);
      resolve(outcome);
    };
    const abort = (reason: 'timeout' | 'output'): void => {
      if (killedFor !== undefined) return;
      killedFor = reason;
      killGroup(child);
      child.stdout?.destroy();
      child.stderr?.destroy();
      graceTimer = setTimeout(() => settle(stopped(reason)), KILL_GRACE_MS);
    };
    const collect = (chunks: Buffer[]) => (chunk: Buffer): void => {
      size += chunk.length;
      if (size > maxOutput) abort('output');
      else chunks.push(chunk);
    };

    deadline = setTimeout(() => abort('timeout'), options.timeoutMs);
    child.stdout?.on('data', collect(stdout));
    child.stderr?.on('data', collect(stderr));
    child.on('error', (error: NodeJS.ErrnoException) => {
      settle({ ok: false, reason: 'spawn', code: error.code, message: error.message });
    });
    child.on('exit', () => {
      if (killedFor !== undefined) settle(stopped(killedFor));
    });
    child.on('close', (exitCode: number | null, signal: NodeJS.Signals | null) => {
      if (killedFor !== undefined) {
        settle(stopped(killedFor));
        return;
      }
      settle({
        ok: true,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
        exitCode,
        signal,
      });
    });
  });
}
