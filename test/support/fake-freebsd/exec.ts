import { execFile } from 'node:child_process';

export interface ToolRun {
  stdout: string;
  stderr: string;
  exitCode: number | null;
}

/**
 * Runs a fake tool the way devd or cron would: no shell, and by default an empty
 * environment and `/` as working directory, so a test proves the fake needs neither.
 * The default timeout only ends a stuck tool: a node start-up on a loaded machine takes seconds.
 */
export function runTool(path: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<ToolRun> {
  return new Promise((resolve, reject) => {
    execFile(
      path,
      [...args],
      { cwd: options.cwd ?? '/', env: options.env ?? {}, timeout: options.timeoutMs ?? 60_000, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error !== null && typeof error.code !== 'number') {
          reject(error);
          return;
        }
        resolve({ stdout, stderr, exitCode: error === null ? 0 : (error.code as number) });
      },
    );
  });
}
