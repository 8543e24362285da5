import { isMap, isScalar, isSeq, LineCounter, type Document, type Node } from 'yaml';

/** A config path as segments (`['failover', 0, 'vhid']`) and as operators read it (`failover[0].vhid`). */
export type ConfigPath = ReadonlyArray<string | number>;

export function formatPath(path: ConfigPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? segment : `.${segment}`;
  }
  return out === '' ? '(top level)' : out;
}

/** Turns an ajv instancePath (`/failover/0/vhid`) into segments. */
export function pointerToPath(pointer: string): Array<string | number> {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((raw) => raw.replaceAll('~1', '/').replaceAll('~0', '~'))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

/**
 * Finds the line of a path in the YAML document: the key's own line when the
 * path ends on a mapping key, so "unknown key" points at the misspelt word.
 * Falls back to the nearest existing ancestor.
 */
export function lineOf(doc: Document, lines: LineCounter, path: ConfigPath): number | null {
  let node: unknown = doc.contents;
  let best: number | null = offsetLine(node, lines);
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
      if (pair === undefined) return best;
      best = offsetLine(pair.key, lines) ?? best;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      node = node.items[segment];
      best = offsetLine(node, lines) ?? best;
    } else {
      return best;
    }
  }
  return best;
}

function offsetLine(node: unknown, lines: LineCounter): number | null {
  const range = (node as Node | null | undefined)?.range;
  if (range === undefined || range === null) return null;
  return lines.linePos(range[0]).line;
}
