import { carpLogEnabled, emptyOutcome, type CommandOutcome } from './outcome.ts';
import { DEMOTION_SYSCTL, type FakeKernelState } from './types.ts';

/**
 * sysctl(8) as in FreeBSD 13/14 sbin/sysctl/sysctl.c: read `name: value`, `-n`
 * bare values, write `name: old -> new`; an unknown oid is reported and the
 * remaining names are still processed; the exit status counts the failures.
 * `net.inet.carp.demotion` behaves like carp_demote_adj_sysctl: a write ADDS.
 */

const USAGE = 'usage: sysctl [-bdeFhiJNnoqTtWx] [ -B <bufsize> ] [-f filename] name[=value] ...\n' + '       sysctl [-bdeFhJNnoqTtWx] [ -B <bufsize> ] -a\n';

interface Flags {
  all: boolean;
  equals: boolean;
  ignoreUnknown: boolean;
  namesOnly: boolean;
  valuesOnly: boolean;
  quiet: boolean;
}

class ExitError extends Error {}

/** C strtol(s, &end, 0) that must consume the whole string. */
function parseCInteger(text: string): number | null {
  const match = /^\s*([+-]?)(0x[0-9a-f]+|0[0-7]*|[1-9]\d*)$/i.exec(text);
  if (match === null) return null;
  const sign = match[1] === '-' ? -1 : 1;
  const digits = match[2] ?? '';
  const magnitude = /^0x/i.test(digits)
    ? Number.parseInt(digits.slice(2), 16)
    : digits.length > 1 && digits.startsWith('0')
      ? Number.parseInt(digits.slice(1), 8)
      : Number.parseInt(digits, 10);
  return sign * magnitude;
}

/** The int the kernel stores: the C cast truncates to 32 bits. */
function toInt32(value: number): number {
  return Number(BigInt.asIntN(32, BigInt(Math.trunc(value))));
}

function parseFlags(argv: readonly string[], outcome: CommandOutcome): { flags: Flags; names: string[] } {
  const flags: Flags = { all: false, equals: false, ignoreUnknown: false, namesOnly: false, valuesOnly: false, quiet: false };
  let index = 0;
  for (; index < argv.length; index++) {
    const arg = argv[index] ?? '';
    if (arg === '--') {
      index++;
      break;
    }
    if (!arg.startsWith('-') || arg === '-') break;
    for (const letter of arg.slice(1)) {
      switch (letter) {
        case 'a':
          flags.all = true;
          break;
        case 'e':
          flags.equals = true;
          break;
        case 'i':
          flags.ignoreUnknown = true;
          break;
        case 'N':
          flags.namesOnly = true;
          break;
        case 'n':
          flags.valuesOnly = true;
          break;
        case 'q':
          flags.quiet = true;
          break;
        case 'w':
          break; // compatibility no-op in the real tool too
        default:
          if ('AbBdfFhJoTtWxX'.includes(letter)) {
            outcome.stderr += `sysctl: fake sysctl does not support -${letter}\n`;
          } else {
            outcome.stderr += `sysctl: illegal option -- ${letter}\n${USAGE}`;
          }
          throw new ExitError();
      }
    }
  }
  if (flags.namesOnly && flags.valuesOnly) {
    outcome.stderr += USAGE;
    throw new ExitError();
  }
  return { flags, names: argv.slice(index) };
}

function show(name: string, value: number | string, flags: Flags): string {
  if (flags.namesOnly) return name;
  return flags.valuesOnly ? String(value) : `${name}${flags.equals ? '=' : ': '}${value}`;
}

function childrenOf(state: FakeKernelState, node: string): string[] {
  const prefix = node === '' ? '' : `${node}.`;
  return Object.keys(state.sysctls)
    .filter((name) => name.startsWith(prefix))
    .sort();
}

/** Returns 1 when this name counts as a failure (the exit status is the count). */
function parseOne(state: FakeKernelState, arg: string, flags: Flags, outcome: CommandOutcome): number {
  const split = /[=:]/.exec(arg);
  let name = split === null ? arg : arg.slice(0, split.index);
  let newValue: string | undefined;
  if (split !== null) {
    newValue = arg.slice(split.index + 1).replace(/^\s+/, '');
    const quote = newValue[0];
    if ((quote === '"' || quote === "'") && newValue.length > 1 && newValue.endsWith(quote)) {
      newValue = newValue.slice(1, -1);
    }
  }
  name = name.replace(/\s+$/, '');

  const current = state.sysctls[name];
  const children = current === undefined ? childrenOf(state, name) : [];
  if (current === undefined && children.length === 0) {
    if (flags.ignoreUnknown) return 0;
    if (!flags.quiet) outcome.stderr += `sysctl: unknown oid '${name}'\n`;
    return 1;
  }
  if (newValue === undefined) {
    const shown = current === undefined ? children : [name];
    for (const child of shown) outcome.stdout += `${show(child, state.sysctls[child] ?? '', flags)}\n`;
    return 0;
  }
  if (current === undefined) {
    outcome.stderr += `sysctl: oid '${name}' isn't a leaf node\n`;
    return 1;
  }
  if (state.readOnlySysctls.includes(name)) {
    outcome.stderr += `sysctl: oid '${name}' is read only\n`;
    return 1;
  }

  let written: number | string = newValue;
  let stored: number | string = newValue;
  if (typeof current === 'number') {
    if (newValue.length === 0) {
      outcome.stderr += 'sysctl: empty numeric value\n';
      return 1;
    }
    const parsed = parseCInteger(newValue);
    if (parsed === null) {
      outcome.stderr += `sysctl: invalid integer '${newValue}'\n`;
      return 1;
    }
    written = toInt32(parsed);
    stored = name === DEMOTION_SYSCTL ? toInt32(current + written) : written;
    if (name === DEMOTION_SYSCTL && carpLogEnabled(state.sysctls)) {
      outcome.kernelLog.push(`carp: demoted by ${written} to ${stored} (sysctl)`);
    }
  }
  state.sysctls[name] = stored;
  outcome.changed = true;
  outcome.writes.push({ name, value: written, old: current, new: stored });
  // The old value is shown before the write, the new one read back after it.
  outcome.stdout += `${show(name, current, flags)} -> ${stored}\n`;
  return 0;
}

export function runSysctl(state: FakeKernelState, argv: readonly string[]): CommandOutcome {
  const outcome = emptyOutcome();
  try {
    const { flags, names } = parseFlags(argv, outcome);
    if (names.length === 0) {
      if (!flags.all) {
        outcome.stderr += USAGE;
        throw new ExitError();
      }
      for (const name of childrenOf(state, '')) outcome.stdout += `${show(name, state.sysctls[name] ?? '', flags)}\n`;
      return outcome;
    }
    let failures = 0;
    for (const name of names) failures += parseOne(state, name, flags, outcome);
    outcome.exitCode = Math.min(failures, 255);
    return outcome;
  } catch (error) {
    if (!(error instanceof ExitError)) throw error;
    outcome.exitCode = 1;
    return outcome;
  }
}
