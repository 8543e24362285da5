import type { parseArgs } from 'node:util';
import { MAX_TIMER_MS, parseDuration } from '../../duration.ts';
import { CarpOvhError } from '../../errors.ts';
import { printable } from '../../printable.ts';

export { printable };

export interface GlobalArgs {
  command: string | null;
  /** Arguments after the command, with the global options taken out. */
  rest: string[];
  config: string | undefined;
  help: boolean;
  version: boolean;
}

type Token = NonNullable<ReturnType<typeof parseArgs>['tokens']>[number];

/**
 * node's tokenizer in its lenient mode: it names every option and positional
 * with the index of the argument it came from, and we decide what is an error,
 * so the messages and exit codes stay this program's own.
 *
 * Arguments without a dash are all positionals: devd's `hook 2@vmx1 MASTER`
 * then does not load node:util, which costs the hook's start-up about 6% of a
 * bare `node -e 0` in CPU time (measured on the loaded test machine).
 */
function tokenize(args: readonly string[], strings: readonly string[], booleans: Record<string, { short?: string }> = {}): Token[] {
  if (!args.some((arg) => arg.startsWith('-'))) return args.map((value, index) => ({ kind: 'positional', index, value }));
  const { parseArgs } = process.getBuiltinModule('node:util');
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
  for (const name of strings) options[name] = { type: 'string' };
  for (const [name, extra] of Object.entries(booleans)) options[name] = { type: 'boolean', ...extra };
  return parseArgs({ args: [...args], options, strict: false, allowPositionals: true, tokens: true }).tokens;
}

/**
 * A single-dash argument such as `-2@vmx1` is a positional here (no command has
 * short options), whatever node's tokenizer split it into: the command's own
 * validation then names what is wrong with it.
 */
function isSingleDash(token: Token): boolean {
  return token.kind === 'option' && !token.rawName.startsWith('--');
}

/** `--config` is global and may stand before or after the command (docs/cli.md). */
export function parseGlobalArgs(argv: readonly string[]): GlobalArgs {
  const taken = new Set<number>();
  let config: string | undefined;
  let command: string | null = null;
  let help = false;
  let version = false;
  for (const token of tokenize(argv, ['config'], { help: { short: 'h' }, version: {} })) {
    if (token.kind === 'option' && token.rawName === '--config') {
      if (token.value === undefined || token.value === '') throw usageError('--config needs a path');
      config = token.value;
      taken.add(token.index);
      if (token.inlineValue === false) taken.add(token.index + 1);
    } else if (command !== null || token.kind !== 'option' || isSingleDash(token) || token.inlineValue === true) {
      if (command === null && token.kind === 'positional' && !token.value.startsWith('-')) {
        command = token.value;
        taken.add(token.index);
      } else if (command === null && token.kind === 'option' && argv[token.index] === '-h') {
        help = true;
        taken.add(token.index);
      }
    } else if (token.name === 'help') {
      help = true;
      taken.add(token.index);
    } else if (token.name === 'version') {
      version = true;
      taken.add(token.index);
    }
  }
  const rest = argv.filter((_, index) => !taken.has(index));
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
  const flagNames = new Set(spec.flags ?? []);
  const optionNames = new Set(spec.options ?? []);
  const flags = new Set<string>();
  const options = new Map<string, string>();
  const positionals: string[] = [];
  let lastDashIndex = -1;
  for (const token of tokenize(
    rest,
    [...optionNames].map((name) => name.slice(2)),
  )) {
    if (token.kind === 'option-terminator') continue;
    if (token.kind === 'positional') {
      positionals.push(token.value);
    } else if (isSingleDash(token)) {
      // One argument such as `-2@vmx1` comes back as several short options with its index.
      if (token.index !== lastDashIndex) positionals.push(rest[token.index] ?? '');
      lastDashIndex = token.index;
    } else if (flagNames.has(token.rawName) && token.inlineValue === undefined) {
      flags.add(token.rawName);
    } else if (optionNames.has(token.rawName)) {
      if (token.value === undefined || token.value === '') throw usageError(`${token.rawName} needs a value`);
      options.set(token.rawName, token.value);
    } else {
      throw usageError(`unknown option ${printable(token.rawName)}`);
    }
  }
  return { flags, options, positionals };
}

/** A duration given on the command line: null when malformed or beyond what a node timer can wait. */
export function durationOption(text: string): number | null {
  const ms = parseDuration(text);
  return ms === null || ms > MAX_TIMER_MS ? null : ms;
}
