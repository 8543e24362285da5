import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A stand-in for logger(1): records its argv (tag, facility.priority) and every
 * line it reads, one record per line, so tests can check what syslog received.
 */
export interface FakeLogger {
  path: string;
  records(): Array<{ argv: string; line: string }>;
  spawns(): string[];
}

export function createFakeLogger(dir: string): FakeLogger {
  const path = join(dir, 'logger');
  const out = join(dir, 'syslog.txt');
  writeFileSync(path, `#!/bin/sh\nprintf 'spawn\\t%s\\n' "$*" >> '${out}'\nwhile IFS= read -r line; do printf '%s\\t%s\\n' "$*" "$line" >> '${out}'; done\n`);
  chmodSync(path, 0o755);
  const lines = (): string[] =>
    existsSync(out)
      ? readFileSync(out, 'utf8')
          .split('\n')
          .filter((l) => l !== '')
      : [];
  return {
    path,
    records: () =>
      lines()
        .filter((l) => !l.startsWith('spawn\t'))
        .map((l) => {
          const tab = l.indexOf('\t');
          return { argv: l.slice(0, tab), line: l.slice(tab + 1) };
        }),
    spawns: () =>
      lines()
        .filter((l) => l.startsWith('spawn\t'))
        .map((l) => l.slice(6)),
  };
}
