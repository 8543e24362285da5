import { LineCounter, parseDocument } from 'yaml';
import { CarpOvhError } from '../errors.ts';

/**
 * Parses a YAML file that holds secrets. The yaml library's own messages quote
 * the offending source line, which may be a secret, so errors keep only the
 * position and the error code.
 */
export function parseSecretYaml(text: string, file: string): unknown {
  const lineCounter = new LineCounter();
  // logLevel 'error': yaml would print a node warning quoting a mapping used as a key, which may be a secret.
  const doc = parseDocument(text, { prettyErrors: false, lineCounter, uniqueKeys: true, logLevel: 'error' });
  const first = doc.errors[0];
  if (first !== undefined) {
    const pos = lineCounter.linePos(first.pos[0]);
    throw new CarpOvhError(`${file}: invalid YAML at line ${pos.line}, column ${pos.col} (${first.code})`, {
      source: 'secrets',
      badInput: true,
      file,
    });
  }
  try {
    return doc.toJS({ maxAliasCount: 10 });
  } catch {
    throw new CarpOvhError(`${file}: YAML cannot be loaded (aliases)`, { source: 'secrets', badInput: true, file });
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
