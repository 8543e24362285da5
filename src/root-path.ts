import { join } from 'node:path';

/** A path on the target system under the `--root` prefix that `install` and `doctor` take (`/` = the system itself). */
export function underRoot(root: string, path: string): string {
  return root === '/' || root === '' ? path : join(root, path);
}
