import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The installed package's root (where package.json, devd/ and hooks/ are).
 * Found by walking up from this module rather than by a fixed `../..`: the build
 * bundles the sources into dist/ and its chunks, so a module's own depth differs
 * between src/ and dist/.
 */
export function packageRoot(): string {
  found ??= findRoot(fileURLToPath(import.meta.url));
  return found;
}

let found: string | undefined;

function findRoot(from: string): string {
  for (let dir = dirname(from); ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && isOurs(manifest)) return dir;
    if (dirname(dir) === dir) throw new Error(`carp-ovh: no carp-ovh package.json above ${from}`);
  }
}

function isOurs(manifest: string): boolean {
  try {
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === 'carp-ovh';
  } catch {
    return false;
  }
}
