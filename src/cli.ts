#!/usr/bin/env node
/**
 * Entry point. devd waits for `hook`, so the hook's usual form (the platform's
 * event arguments, no flag) runs here, from this one file: the build bundles it
 * alone (scripts/build.ts), because node pays for every module file it loads.
 * Every other command, and a hook with a flag, goes to src/cli/main.ts.
 */
import { fileURLToPath } from 'node:url';
import { handOff, readHookEvent } from './cli/wiring/hook-event.ts';
import { reportFailure, warnIfTlsUnchecked } from './cli/output/failure.ts';
import { type GlobalArgs, parseGlobalArgs } from './cli/parsing/args.ts';

const argv = process.argv.slice(2);
const cliPath = fileURLToPath(import.meta.url);
const parsed = parseOnce(argv);
process.exitCode = isPlainHook(parsed) ? await runPlainHook(parsed) : await (await import('./cli/main.ts')).main(argv, parsed, cliPath);

/**
 * Parsed here, once. A mistake is main's to report: it parses again and throws
 * there, because an error object made by this bundle's copy of src/errors.ts is
 * not one main.js's copy recognises (its exit code would be lost).
 */
function parseOnce(args: readonly string[]): GlobalArgs | null {
  try {
    return parseGlobalArgs(args);
  } catch {
    return null;
  }
}

/** `hook` with only its event arguments; anything else (flags, help, a mistake) is main's to handle and report. */
function isPlainHook(global: GlobalArgs | null): global is GlobalArgs {
  return global !== null && global.command === 'hook' && !global.help && !global.version && global.rest.every((arg) => !arg.startsWith('-'));
}

async function runPlainHook(global: GlobalArgs): Promise<number> {
  const stderr = { write: (text: string) => void process.stderr.write(text) };
  try {
    warnIfTlsUnchecked(process.env, stderr);
    const event = await readHookEvent(global.config, process.env, global.rest);
    handOff({ cliPath, configFlag: global.config, env: process.env }, event);
    return 0;
  } catch (error) {
    return reportFailure(error, stderr, process.env);
  }
}
