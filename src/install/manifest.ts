import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { CarpOvhError } from '../errors.ts';
import { MANIFEST_PATH, underRoot } from './layout.ts';
import type { Platform, Timer } from './plan.ts';

/** What `install` wrote, as paths on the target system, so `uninstall` removes exactly that. */
export interface ManifestFile {
  path: string;
  /** Of the content install wrote: a file that no longer matches was changed since. */
  sha256: string;
  mode: string;
  source: string;
}

export interface Manifest {
  version: 1;
  installedAt: string;
  platform: Platform;
  timer: Timer;
  node: string;
  cli: string;
  config: string;
  files: ManifestFile[];
  /** Directories install created, shallowest first. */
  dirs: string[];
}

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export async function readManifest(root: string): Promise<Manifest | null> {
  const path = underRoot(root, MANIFEST_PATH);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new CarpOvhError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, { source: 'state', file: path });
  }
  let parsed: Partial<Manifest>;
  try {
    parsed = JSON.parse(text) as Partial<Manifest>;
  } catch {
    throw new CarpOvhError(`${path} is not JSON: remove the files it listed by hand, then delete it`, { source: 'state', badInput: true, file: path });
  }
  if (parsed.version !== 1 || !Array.isArray(parsed.files) || !Array.isArray(parsed.dirs)) {
    throw new CarpOvhError(`${path} is not an install manifest this version understands`, { source: 'state', badInput: true, file: path });
  }
  return parsed as Manifest;
}
