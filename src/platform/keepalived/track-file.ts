import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { CarpOvhError } from '../../errors.ts';

/**
 * The file keepalived's `track_file` block watches. keepalived reads a number
 * from it whenever it changes (inotify) and adds number × weight to the
 * instance's priority, so it must never see a half-written file: the value is
 * written to a temporary file in the same directory, flushed, and renamed over
 * the old one. The file is carp-ovh's alone; its value is carp-ovh's share or 0.
 */

export interface TrackReading {
  value: number;
  /** false when the file does not exist yet (keepalived then reads 0). */
  exists: boolean;
}

function trackError(message: string, facts: { badInput?: boolean; errorCode?: string; file?: string } = {}): CarpOvhError {
  return new CarpOvhError(message, { source: 'platform', ...facts });
}

export async function readTrackFile(path: string): Promise<TrackReading> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { value: 0, exists: false };
    throw trackError(`cannot read the track file ${path}: ${code ?? String(error)}`, { errorCode: code, file: path });
  }
  const trimmed = text.trim();
  // keepalived reads the number with strtol: an empty file counts as 0 there too.
  if (trimmed === '') return { value: 0, exists: true };
  if (!/^-?\d{1,10}$/.test(trimmed)) {
    throw trackError(`the track file ${path} holds ${JSON.stringify(trimmed.slice(0, 40))}, not a number`, { badInput: true, file: path });
  }
  return { value: Number(trimmed), exists: true };
}

export async function writeTrackFile(path: string, value: number): Promise<void> {
  if (!Number.isSafeInteger(value) || value < 0 || value > 254) {
    throw trackError(`the track file value must be an integer from 0 to 254, got ${String(value)}`, { badInput: true });
  }
  const dir = dirname(path);
  // /run is a tmpfs: after a reboot the directory is gone until someone makes it.
  await mkdir(dir, { recursive: true, mode: 0o755 });
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}`);
  try {
    const handle = await open(temp, 'wx', 0o644);
    try {
      await handle.writeFile(`${value}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    const code = (error as NodeJS.ErrnoException).code;
    throw trackError(`cannot write the track file ${path}: ${code ?? String(error)}`, { errorCode: code, file: path });
  }
}
