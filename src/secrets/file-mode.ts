import { stat } from 'node:fs/promises';

/** A message when group or others may read or write the file, else null. */
export function looseModeMessage(mode: number, path: string): string | null {
  const perms = mode & 0o777;
  if ((perms & 0o077) === 0) return null;
  const octal = perms.toString(8).padStart(4, '0');
  return `${path} is accessible by group or others (mode ${octal}): run chmod 600 ${path}`;
}

/**
 * For doctor/check: what is wrong with the mode of a file holding secrets
 * (a secretsmith file, a token file), or null when it is private.
 */
export async function fileModeProblem(path: string): Promise<string | null> {
  try {
    const info = await stat(path);
    if (!info.isFile()) return `${path} is not a regular file`;
    return looseModeMessage(info.mode, path);
  } catch (error) {
    return `cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`;
  }
}
