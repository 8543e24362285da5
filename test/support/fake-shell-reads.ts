import { mkdirSync, readdirSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Shell answers for the fake kernels (fake-freebsd/, fake-openbsd/). The product
 * repeats a few reads (`ifconfig IFACE` before every change it asks OVH for,
 * `sysctl -n NAME`, OpenBSD's `ifconfig -g GROUP`), where the real tools take
 * about a millisecond, and a retrying claim makes dozens. Each time a fake writes
 * its state it also renders these reads' answers with its own command code, into
 * one file per read; the tool's shell wrapper prints such a file and logs the
 * call as the command code would. Anything without a file (a write, an error, an
 * unknown name, any call while a fault is set for the tool) goes to the tool
 * server (fake-tool-server.ts), so every answer comes from one implementation.
 */

/** A read the shell may answer: `TOOL PREFIX… NAME`. */
interface ShellRead {
  tool: string;
  prefix: readonly string[];
}

export interface ToolOutcome {
  stdout: string;
  stderr: string;
  exitCode: number;
  changed: boolean;
  kernelLog: readonly string[];
  writes?: readonly unknown[];
}

/** What a fake kernel tells this module: which reads its wrapper answers, and how it runs them. */
export interface KernelReads<S, T extends string> {
  /** Per tool, the PREFIX of each read form `TOOL PREFIX… NAME`. */
  forms: Record<T, ReadonlyArray<readonly string[]>>;
  /** The NAMEs a form can ask for in this state. */
  names(state: S, tool: T, prefix: readonly string[]): readonly string[];
  /** A tool with a fault set has no shell answers: every call goes to node and meets the fault. */
  faulted(state: S, tool: T): boolean;
  run(state: S, tool: T, argv: string[]): ToolOutcome;
}

/** Only names a shell `case` can check without quoting trouble become file names. */
export const SAFE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

export function readsDirFor(statePath: string): string {
  return join(dirname(statePath), 'reads');
}

function fileOf(read: ShellRead, name: string): string {
  return `${read.tool}${read.prefix.join('')}.${name}`;
}

/**
 * The answer files of `kernel`'s read forms, from its own command code on a copy
 * of the state (a read that changed it would be no read to cache). Only clean
 * successes count.
 */
function renderReads<S, T extends string>(state: S, kernel: KernelReads<S, T>): Map<string, string> {
  const files = new Map<string, string>();
  for (const tool of Object.keys(kernel.forms) as T[]) {
    if (kernel.faulted(state, tool)) continue;
    for (const prefix of kernel.forms[tool]) {
      for (const name of kernel.names(state, tool, prefix)) {
        if (!SAFE_NAME.test(name)) continue;
        const outcome = kernel.run(structuredClone(state), tool, [...prefix, name]);
        const clean =
          outcome.exitCode === 0 && outcome.stderr === '' && !outcome.changed && outcome.kernelLog.length === 0 && (outcome.writes?.length ?? 0) === 0;
        if (clean) files.set(fileOf({ tool, prefix }, name), outcome.stdout);
      }
    }
  }
  return files;
}

/**
 * Called with the state lock held, after the state file is replaced: stale
 * answers go first, then each file is replaced atomically, so a reader sees an
 * answer from before or after this write and never half of one.
 */
export function writeShellReads<S, T extends string>(statePath: string, state: S, kernel: KernelReads<S, T>): void {
  const files = renderReads(state, kernel);
  const dir = readsDirFor(statePath);
  mkdirSync(dir, { recursive: true });
  for (const existing of readdirSync(dir)) {
    if (!files.has(existing)) unlinkSync(join(dir, existing));
  }
  for (const [file, text] of files) {
    const temp = join(dir, `.${file}.${process.pid}.tmp`);
    writeFileSync(temp, text);
    renameSync(temp, join(dir, file));
  }
}

export function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/**
 * The wrapper's lines before it hands the call to the tool server: for a call `TOOL PREFIX… NAME` of one
 * of `prefixes` whose answer file exists, print it, append the call to `callLog`
 * as one JSON line, exit 0. `/bin/cat` and `/bin/date` by path: the product runs
 * its tools with an empty environment, as devd does.
 */
export function shellReadLines(tool: string, prefixes: ReadonlyArray<readonly string[]>, statePath: string, callLog: string): string[] {
  const dir = shellQuote(readsDirFor(statePath));
  const lines: string[] = ['file=', 'name=', 'argv='];
  prefixes.forEach((prefix, index) => {
    const count = prefix.length + 1;
    const tests = [`[ $# -eq ${count} ]`, ...prefix.map((word, at) => `[ "$${at + 1}" = ${shellQuote(word)} ]`)];
    lines.push(`${index === 0 ? 'if' : 'elif'} ${tests.join(' && ')}; then`);
    lines.push(`  file=${shellQuote(fileOf({ tool, prefix }, ''))}; name="$${count}"; argv=${shellQuote(prefix.map((word) => `"${word}",`).join(''))}`);
  });
  lines.push(
    'fi',
    'case "$name" in',
    "  ''|[!A-Za-z0-9_]*|*[!A-Za-z0-9_.-]*) ;;",
    '  *)',
    `    if /bin/cat -- ${dir}/"$file$name" 2>/dev/null; then`,
    `      printf '{"tool":"${tool}","argv":[%s"%s"],"time":%s,"pid":%s,"exitCode":0}\\n' "$argv" "$name" "$(/bin/date +%s%3N)" "$$" >> ${shellQuote(callLog)}`,
    '      exit 0',
    '    fi',
    '    ;;',
    'esac',
  );
  return lines;
}
