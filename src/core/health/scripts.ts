import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { formatDuration } from '../../duration.ts';
import type { HealthConfig } from '../../config/types.ts';
import { BUILTIN_PROBES, type ProbeVerdict, type ScriptOutcome, type ScriptRunner } from './types.ts';

/**
 * Service-status scripts, OPNsense layout: every executable file in
 * health.scripts, exit 0 = healthy. They run in parallel, without a shell, each
 * under health.script_timeout, killed with its whole process group when it runs out.
 */

/** Our own wrappers for OPNsense (`probe vault` …): the check runs those probes itself. */
const OWN_WRAPPER = /^carp-ovh-/;
const RESERVED = new Set<string>([...BUILTIN_PROBES, 'maintenance']);

export interface ScriptList {
  paths: string[];
  /** Set when the directory exists but cannot be listed. */
  problem?: string;
}

export async function listScripts(dir: string): Promise<ScriptList> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // No directory, no scripts: a plain FreeBSD router has none of OPNsense's.
    if (code === 'ENOENT') return { paths: [] };
    return { paths: [], problem: `cannot list ${dir} (health.scripts): ${code ?? String(error)}` };
  }
  const paths: string[] = [];
  for (const name of names.sort()) {
    if (name.startsWith('.') || OWN_WRAPPER.test(name)) continue;
    const path = join(dir, name);
    const info = await stat(path).catch(() => null);
    if (info?.isFile() === true && (info.mode & 0o111) !== 0) paths.push(path);
  }
  return { paths };
}

/** A script named like a built-in probe or reason gets a prefix, so the two never share a reason. */
export function scriptProbeName(path: string): string {
  const base = path.slice(path.lastIndexOf('/') + 1);
  return RESERVED.has(base) ? `script:${base}` : base;
}

/**
 * Lists the scripts and starts them all before returning: the caller then loads
 * the log and the adapters and starts the built-in probes, whose first steps load
 * Vault's and OVH's clients (tens of ms of CPU) that would hold up the scripts.
 */
export async function startScripts(
  health: Pick<HealthConfig, 'scripts' | 'scriptTimeoutMs'>,
  runScript: ScriptRunner,
): Promise<{ done: Promise<ProbeVerdict[]> }> {
  const started = Date.now();
  const list = await listScripts(health.scripts);
  if (list.problem !== undefined) return { done: Promise.resolve([{ name: 'scripts', ok: false, detail: list.problem, durationMs: Date.now() - started }]) };
  const timeoutMs = health.scriptTimeoutMs;
  // Wrapped: an async function returning the promise itself would wait for it.
  const done = Promise.all(
    list.paths.map(async (path): Promise<ProbeVerdict> => {
      const outcome = await runScript(path, timeoutMs);
      const durationMs = Date.now() - started;
      const name = scriptProbeName(path);
      if (outcome.kind === 'exit' && outcome.code === 0) return { name, ok: true, detail: withOutput('exit 0', outcome.output), durationMs };
      return { name, ok: false, detail: describeOutcome(outcome, timeoutMs), durationMs };
    }),
  );
  return { done };
}

function describeOutcome(outcome: ScriptOutcome, timeoutMs: number): string {
  switch (outcome.kind) {
    case 'exit':
      return withOutput(outcome.signal !== null ? `killed by ${outcome.signal}` : `exit ${String(outcome.code)}`, outcome.output);
    case 'timeout':
      return `still running after ${formatDuration(timeoutMs)} (health.script_timeout): killed with its process group`;
    case 'too-much-output':
      return 'printed more than 1 MiB: killed with its process group';
    case 'error':
      return `cannot run: ${outcome.code ?? outcome.message}`;
  }
}

/** The script's last line of output says why, the way OPNsense scripts print it. */
function withOutput(status: string, output: string): string {
  const line = output
    .split('\n')
    .map((l) => l.replace(/[\u0000-\u001f\u007f]/g, ' ').trim())
    .filter((l) => l !== '')
    .at(-1);
  return line === undefined ? status : `${status}: ${line.slice(0, 200)}`;
}
