import { isAbsolute, resolve } from 'node:path';
import { printable, usageError } from './args.ts';

/** `--root DIR` of install, uninstall and doctor: an absolute prefix, `/` when absent. */
export function rootOption(value: string | undefined): string {
  if (value === undefined) return '/';
  if (!isAbsolute(value)) throw usageError(`--root must be an absolute path, got ${printable(value)}`);
  return resolve(value);
}
