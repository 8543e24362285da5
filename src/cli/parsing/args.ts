import { MAX_TIMER_MS, parseDuration } from '../../duration.ts';
import { CarpOvhError } from '../../errors.ts';

export interface GlobalArgs {
  command: string | null;
  /** Arguments after the command, with the global options taken out. */
  rest: string[];
  config: string | undefined;
  help: boolean;
  version: boolean;
}

/** `--config` is global and may stand before or after the command (DESIGN.md). */
export function parseGlobalArgs(argv: readonly string[]): GlobalArgs {
  const rest: string[] = [];
  let config: string | undefined;
  let command: string | null = null;
  let help = false;
  let version = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--config') {
      const value = argv[i + 1];
      if (value === undefined || value === '') throw usageError('--config needs a path');
      config = value;
      i++;
    } else if (arg.startsWith('--config=')) {
      config = arg.slice('--config='.length);
      if (config === '') throw usageError('--config needs a path');
    } else if (command === null && (arg === '--help' || arg === '-h')) {
      help = true;
    } else if (command === null && arg === '--version') {
      version = true;
    } else if (command === null && !arg.startsWith('-')) {
      command = arg;
    } else {
      rest.push(arg);
    }
  }
  return { command, rest, config, help, version };
}

export function usageError(message: string): CarpOvhError {
  return new CarpOvhError(message, { source: 'cli', badInput: true });
}

/** Splits a command's own arguments into known flags and positionals; unknown flags are usage errors. */
export function parseCommandArgs(
  rest: readonly string[],
  spec: { flags?: readonly string[]; options?: readonly string[] },
): { flags: Set<string>; options: Map<string, string>; positionals: string[] } {
  const flags = new Set<string>();
  const options = new Map<string, string>();
  const positionals: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] ?? '';
    if (arg === '--') {
      positionals.push(...rest.slice(i + 1));
      break;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq === -1 ? arg : arg.slice(0, eq);
      if (spec.flags?.includes(name) === true && eq === -1) {
        flags.add(name);
      } else if (spec.options?.includes(name) === true) {
        const value = eq === -1 ? rest[++i] : arg.slice(eq + 1);
        if (value === undefined || value === '') throw usageError(`${name} needs a value`);
        options.set(name, value);
      } else {
        throw usageError(`unknown option ${printable(name)}`);
      }
    } else {
      positionals.push(arg);
    }
  }
  return { flags, options, positionals };
}

/** What JSON.stringify leaves raw: DEL, C1 controls (0x9b is an 8-bit CSI) and bidi overrides that make a log line lie. */
const UNSAFE = /[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** Renders untrusted input for an error message: bounded, and nothing a terminal or a log reader would act on. */
export function printable(value: string, max = 40): string {
  const cut = value.length > max ? `${value.slice(0, max)}…` : value;
  return JSON.stringify(cut).replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A duration given on the command line: null when malformed or beyond what a node timer can wait. */
export function durationOption(text: string): number | null {
  const ms = parseDuration(text);
  return ms === null || ms > MAX_TIMER_MS ? null : ms;
}
