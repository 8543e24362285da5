/** The fake OpenBSD instance's files: its state, its call log and its kernel log. */
import { appendFileSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { replaceJsonFile } from '../fake-freebsd/store.ts';
import { writeShellReads } from '../fake-shell-reads.ts';
import { SHELL_READS } from './read-cache.ts';
import type { ObsdCall, ObsdKernelState } from './types.ts';

export const STATE_FILE = 'fake-openbsd.json';

export function readObsdState(statePath: string): ObsdKernelState {
  return JSON.parse(readFileSync(statePath, 'utf8')) as ObsdKernelState;
}

/** The state, then the shell's read answers that follow from it. */
export function writeObsdState(statePath: string, state: ObsdKernelState): void {
  replaceJsonFile(statePath, state);
  writeShellReads(statePath, state, SHELL_READS);
}

export const callLogOf = (statePath: string): string => join(dirname(statePath), 'calls.jsonl');
export const kernelLogOf = (statePath: string): string => join(dirname(statePath), 'kernel.log');

export function appendKernel(statePath: string, lines: readonly string[]): void {
  if (lines.length > 0) appendFileSync(kernelLogOf(statePath), lines.map((line) => `${line}\n`).join(''));
}

export function appendCall(statePath: string, call: ObsdCall): void {
  appendFileSync(callLogOf(statePath), `${JSON.stringify(call)}\n`);
}
