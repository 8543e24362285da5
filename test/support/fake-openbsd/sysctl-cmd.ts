import type { ObsdOutcome } from './ifconfig-cmd.ts';
import { BOOTTIME, READ_ONLY_SYSCTLS, type ObsdKernelState } from './types.ts';

/**
 * OpenBSD's sysctl(8) for integer leaves: `name=value` (or the bare value with -n),
 * a write prints `name: old -> new`. kern.boottime is a timeval: ctime(3) text, or
 * epoch seconds with -n.
 */

const LEVELS = ['top', 'second', 'third', 'fourth'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** ctime(3) in UTC, without its newline: `Sun Nov 29 17:00:00 2026`. */
export function ctime(epochSeconds: number): string {
  const date = new Date(epochSeconds * 1000);
  const two = (n: number) => String(n).padStart(2, '0');
  return (
    `${DAYS[date.getUTCDay()]} ${MONTHS[date.getUTCMonth()]} ${String(date.getUTCDate()).padStart(2, ' ')} ` +
    `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} ${date.getUTCFullYear()}`
  );
}

function unknown(state: ObsdKernelState, name: string): string {
  const parts = name.split('.');
  // The first level that matches no known name is the one reported.
  for (let depth = 1; depth <= parts.length; depth++) {
    const prefix = parts.slice(0, depth).join('.');
    if (!Object.keys(state.sysctls).some((known) => known === prefix || known.startsWith(`${prefix}.`))) {
      return `sysctl: ${LEVELS[Math.min(depth - 1, 3)]} level name ${parts[depth - 1]} in ${name} is invalid\n`;
    }
  }
  return `sysctl: ${name}: specification is incomplete\n`;
}

export function runSysctl(state: ObsdKernelState, argv: readonly string[]): ObsdOutcome {
  const outcome: ObsdOutcome = { stdout: '', stderr: '', exitCode: 0, changed: false, kernelLog: [] };
  let args = [...argv];
  let bare = false;
  while (args[0]?.startsWith('-') === true) {
    if (args[0] !== '-n') {
      outcome.stderr = `sysctl: fake sysctl does not support ${args[0]}\n`;
      outcome.exitCode = 1;
      return outcome;
    }
    bare = true;
    args = args.slice(1);
  }
  if (args.length === 0) {
    outcome.stderr = 'usage: sysctl [-Aanq] [name[=value]]\n';
    outcome.exitCode = 1;
    return outcome;
  }
  for (const arg of args) {
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg : arg.slice(0, eq);
    const current = state.sysctls[name];
    if (current === undefined) {
      outcome.stderr += unknown(state, name);
      outcome.exitCode = 1;
      continue;
    }
    if (eq < 0) {
      const text = name === BOOTTIME && !bare ? ctime(current) : String(current);
      outcome.stdout += bare ? `${text}\n` : `${name}=${text}\n`;
      continue;
    }
    const raw = arg.slice(eq + 1);
    if (READ_ONLY_SYSCTLS.includes(name)) {
      outcome.stderr += `sysctl: ${name}: Operation not permitted\n`;
      outcome.exitCode = 1;
      continue;
    }
    if (!/^-?\d+$/.test(raw)) {
      outcome.stderr += `sysctl: ${name}: invalid integer '${raw}'\n`;
      outcome.exitCode = 1;
      continue;
    }
    const next = Number.parseInt(raw, 10);
    state.sysctls[name] = next;
    outcome.changed = true;
    outcome.stdout += bare ? `${next}\n` : `${name}: ${current} -> ${next}\n`;
  }
  return outcome;
}
