import { defaultPlatformKind } from './platform-kinds.ts';
import { PLATFORM_KINDS, type PlatformKind } from './types.ts';

/**
 * `platform.kind` for the hook's fast path, which must pick its argument parser
 * without loading the YAML parser (devd waits on the hook). It reads the one key
 * from the text, in block (`platform:\n  kind: x`) or flow (`platform: {kind: x}`)
 * style; anything it cannot read gives the host's default, and the worker then
 * loads the whole config and checks it properly.
 */
export async function peekPlatformKind(path: string, os: NodeJS.Platform = process.platform): Promise<PlatformKind> {
  let text: string;
  try {
    // Not node:fs/promises, nor an import of node:fs: as an ES module import, node:fs
    // loads fs/promises with it, and that brings readline and ~30 more built-in modules into the hook.
    text = process.getBuiltinModule('node:fs').readFileSync(path, 'utf8');
  } catch {
    text = '';
  }
  return kindIn(text) ?? defaultPlatformKind(os, /(^|[\s{,-])vrrp_instance\s*:/m.test(text));
}

const KIND_VALUE = /\bkind\s*:\s*["']?([a-z]+)["']?/;

export function kindIn(text: string): PlatformKind | null {
  const lines = text.split(/\r?\n/);
  const start = lines.findIndex((line) => /^platform\s*:/.test(line));
  if (start === -1) return null;
  const rest = (lines[start] ?? '').replace(/^platform\s*:/, '').trim();
  let found: string | undefined;
  if (rest.startsWith('{')) {
    found = KIND_VALUE.exec(rest)?.[1];
  } else {
    for (const line of lines.slice(start + 1)) {
      if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
      if (!/^\s/.test(line)) break;
      const match = /^\s+kind\s*:\s*["']?([a-z]+)["']?\s*(#.*)?$/.exec(line);
      if (match !== null) {
        found = match[1];
        break;
      }
    }
  }
  return PLATFORM_KINDS.find((kind) => kind === found) ?? null;
}
