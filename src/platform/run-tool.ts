import { CommandError, runCommand } from '../command.ts';
import { CarpOvhError, type ErrorFacts } from '../errors.ts';

/** A platform tool (ifconfig, sysctl, ip…) as configured: its name, absolute path and how to fix a wrong one. */
export interface PlatformTool {
  name: string;
  path: string;
  /** The advice when the path is wrong: `set platform.ifconfig in the configuration to …`. */
  where: string;
}

export interface ToolRun {
  /** `path arg…`, for messages. */
  command: string;
  stdout: string;
  stderr: string;
  exitCode: number | null;
}

export function platformError(message: string, facts: Omit<ErrorFacts, 'source'> = {}): CarpOvhError {
  return new CarpOvhError(message, { source: 'platform', ...facts });
}

/** The first non-blank line of a tool's output, short and printable, for an error message. */
export function firstLine(text: string): string {
  const line = text.split('\n').find((candidate) => candidate.trim() !== '') ?? '';
  return line
    .replace(/[\u0000-\u001f\u007f]/g, ' ')
    .trim()
    .slice(0, 200);
}

/** A tool that ran and exited non-zero: its command, status and first stderr line, plus what to do. */
export function toolFailed(result: ToolRun, hint = ''): CarpOvhError {
  const detail = firstLine(result.stderr);
  return platformError(`${result.command} failed with exit status ${result.exitCode}${detail === '' ? '' : `: ${detail}`}${hint}`);
}

/**
 * Runs a platform tool through the shared command runner. Any exit status is
 * an answer for the caller to read; a tool that could not run, was killed, ran
 * past its deadline or printed too much is a platform error saying so.
 */
export async function runTool(tool: PlatformTool, args: readonly string[], timeoutMs: number): Promise<ToolRun> {
  const { name, path, where } = tool;
  const command = [path, ...args].join(' ');
  try {
    const done = await runCommand(path, args, { timeoutMs });
    if (done.signal !== null) throw platformError(`${command} was killed by ${done.signal}`, { retryable: true });
    return { command, stdout: done.stdout, stderr: done.stderr, exitCode: done.exitCode };
  } catch (error) {
    if (!(error instanceof CommandError)) throw error;
    if (error.timedOut) throw platformError(`${command} did not finish within ${timeoutMs} ms and was killed`, { timedOut: true, retryable: true });
    if (error.outputTooLarge) throw platformError(`${command} printed more than 1 MiB and was killed`);
    if (error.code === 'ENOENT') throw platformError(`cannot run ${name}: ${path} does not exist; ${where}`, { errorCode: 'ENOENT' });
    if (error.code === 'EACCES') throw platformError(`cannot run ${name}: ${path} is not executable; ${where}`, { errorCode: 'EACCES' });
    throw platformError(`cannot run ${name} at ${path} (platform.${name}): ${error.message}`, { errorCode: error.code });
  }
}
