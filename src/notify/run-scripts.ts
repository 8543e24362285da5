import { readdir, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { CommandError, type CommandRunner, commandRunner } from '../command.ts';
import type { NotifyConfig } from '../config/types.ts';
import type { NotifyEvent } from '../core/notify/events.ts';
import type { LogPort } from '../core/ports/index.ts';
import { formatDuration } from '../duration.ts';

/**
 * Runs every notify script for one event: the event as JSON on stdin and in a few
 * CARP_OVH_* variables, no shell, each in its own process group that is killed
 * whole when notify.timeout runs out (or past 1 MiB of output), at most
 * notify.max_running at once, through the shared command runner (src/command.ts).
 * Failures are logged; none is fatal.
 */

export type ScriptEnd = { path: string; ok: true; ms: number } | { path: string; ok: false; ms: number; why: string };

const OUTPUT_KEPT = 2048;
/** A plain PATH: the scripts get nothing of carp-ovh's environment (it may hold VAULT_* settings). */
const SCRIPT_PATH = '/sbin:/bin:/usr/sbin:/usr/bin:/usr/local/sbin:/usr/local/bin';

export async function notifyScripts(config: NotifyConfig): Promise<{ paths: string[]; problem?: string }> {
  const scripts = config.scripts;
  if (scripts === null) return { paths: [] };
  if (scripts.kind === 'list') return { paths: scripts.paths };
  let names: string[];
  try {
    names = await readdir(scripts.dir);
  } catch (error) {
    return { paths: [], problem: `cannot list ${scripts.dir} (notify.scripts): ${(error as NodeJS.ErrnoException).code ?? String(error)}` };
  }
  const paths: string[] = [];
  for (const name of names.sort()) {
    if (name.startsWith('.')) continue;
    const path = join(scripts.dir, name);
    const info = await stat(path).catch(() => null);
    if (info?.isFile() === true && (info.mode & 0o111) !== 0) paths.push(path);
  }
  return { paths };
}

export function scriptEnv(event: NotifyEvent): Record<string, string> {
  return {
    PATH: SCRIPT_PATH,
    CARP_OVH_EVENT: event.event,
    CARP_OVH_AT: event.at,
    CARP_OVH_HOST: hostname(),
    CARP_OVH_KEYS: event.keys.join(','),
    CARP_OVH_ADDRESSES: event.addresses.join(','),
    CARP_OVH_REASONS: event.reasons.join(','),
  };
}

export async function runNotifyScripts(config: NotifyConfig, event: NotifyEvent, log: LogPort): Promise<ScriptEnd[]> {
  const { paths, problem } = await notifyScripts(config);
  if (problem !== undefined) log.warn({ event: event.event }, `notify: ${problem}`);
  const input = `${JSON.stringify({ ...event, host: hostname() })}\n`;
  const env = scriptEnv(event);
  const runner = commandRunner();
  const ends: ScriptEnd[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < paths.length) {
      const path = paths[next++] ?? '';
      const end = await runOne(runner, path, input, env, config.timeoutMs);
      ends.push(end);
      if (end.ok) log.debug({ event: event.event, script: path, ms: end.ms }, `notify script ${path} ran for ${event.event}`);
      else log.warn({ event: event.event, script: path, ms: end.ms }, `notify script ${path} failed for ${event.event}: ${end.why}`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(config.maxRunning, paths.length) }, worker));
  return ends;
}

async function runOne(runner: CommandRunner, path: string, input: string, env: Record<string, string>, timeoutMs: number): Promise<ScriptEnd> {
  const started = Date.now();
  try {
    const done = await runner.run(path, [], { timeoutMs, input, env, cwd: '/' });
    const ms = Date.now() - started;
    if (done.exitCode === 0) return { path, ok: true, ms };
    const output = done.stderr.slice(0, OUTPUT_KEPT).trim();
    const status = done.signal === null ? `exit ${String(done.exitCode)}` : `killed by ${done.signal}`;
    return { path, ok: false, ms, why: `${status}${output === '' ? '' : `: ${output.split('\n').slice(-3).join(' / ')}`}` };
  } catch (error) {
    if (!(error instanceof CommandError)) throw error;
    const ms = Date.now() - started;
    if (error.timedOut) return { path, ok: false, ms, why: `still running after ${formatDuration(timeoutMs)} (notify.timeout): killed with its process group` };
    if (error.outputTooLarge) return { path, ok: false, ms, why: 'printed more than 1 MiB: killed with its process group' };
    return { path, ok: false, ms, why: `cannot start: ${error.code ?? error.message}` };
  }
}
