import { spawn } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { NotifyConfig } from '../config/types.ts';
import type { NotifyEvent } from '../core/notify/events.ts';
import type { LogPort } from '../core/ports.ts';
import { formatDuration } from '../duration.ts';

/**
 * Runs every notify script for one event: the event as JSON on stdin and in a few
 * CARP_OVH_* variables, no shell, each in its own process group that is killed
 * whole when notify.timeout runs out, at most notify.max_running at once.
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

export function scriptEnv(event: NotifyEvent): NodeJS.ProcessEnv {
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
  const ends: ScriptEnd[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < paths.length) {
      const path = paths[next++] ?? '';
      const end = await runOne(path, input, env, config.timeoutMs);
      ends.push(end);
      if (end.ok) log.debug({ event: event.event, script: path, ms: end.ms }, `notify script ${path} ran for ${event.event}`);
      else log.warn({ event: event.event, script: path, ms: end.ms }, `notify script ${path} failed for ${event.event}: ${end.why}`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(config.maxRunning, paths.length) }, worker));
  return ends;
}

function runOne(path: string, input: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<ScriptEnd> {
  const started = Date.now();
  return new Promise((resolve) => {
    let settled = false;
    let timedOut = false;
    let output = '';
    const finish = (end: ScriptEnd): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(end);
    };
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(path, [], { stdio: ['pipe', 'ignore', 'pipe'], env, cwd: '/', detached: true, shell: false });
    } catch (error) {
      resolve({ path, ok: false, ms: 0, why: `cannot start: ${(error as NodeJS.ErrnoException).code ?? String(error)}` });
      return;
    }
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
      // A grandchild holding stderr open must not keep us waiting past the kill.
      setTimeout(() => finish({ path, ok: false, ms: Date.now() - started, why: `still running after ${formatDuration(timeoutMs)} (notify.timeout): killed with its process group` }), 1000).unref();
    }, timeoutMs);
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(input);
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      if (output.length < OUTPUT_KEPT) output += chunk.slice(0, OUTPUT_KEPT - output.length);
    });
    child.once('error', (error: NodeJS.ErrnoException) => finish({ path, ok: false, ms: Date.now() - started, why: `cannot start: ${error.code ?? error.message}` }));
    child.once('close', (code, signal) => {
      const ms = Date.now() - started;
      if (timedOut) finish({ path, ok: false, ms, why: `still running after ${formatDuration(timeoutMs)} (notify.timeout): killed with its process group` });
      else if (code === 0) finish({ path, ok: true, ms });
      else finish({ path, ok: false, ms, why: `${signal === null ? `exit ${String(code)}` : `killed by ${signal}`}${output.trim() === '' ? '' : `: ${output.trim().split('\n').slice(-3).join(' / ')}`}` });
    });
  });
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
