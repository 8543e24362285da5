/**
 * The layer rules of docs/architecture.md, read from the import statements of
 * every file under src/: the core depends only on its ports (and the support
 * modules), adapters never reach into each other, and only the cli sees all.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

interface Import {
  from: string;
  /** Path relative to src/, or `pkg:NAME` for a package, `node:NAME` for a builtin. */
  to: string;
  line: number;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Static imports and re-exports (type-only ones too: a type is a dependency) and dynamic import() calls. */
const SPECIFIER =
  /(?:\bimport\s+(?:type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?|\bexport\s+(?:type\s+)?(?:\*(?:\s+as\s+\w+)?|\{[^}]*\})\s+from\s+|\bimport\s*\(\s*)['"]([^'"]+)['"]/g;

export function importsOf(file: string, text: string): Import[] {
  const out: Import[] = [];
  for (const match of text.matchAll(SPECIFIER)) {
    const spec = match[1] ?? '';
    const line = text.slice(0, match.index).split('\n').length;
    let to: string;
    if (spec.startsWith('.')) to = relative(SRC, resolve(dirname(file), spec));
    else if (spec.startsWith('node:')) to = spec;
    else to = `pkg:${spec}`;
    out.push({ from: relative(SRC, file), to, line });
  }
  return out;
}

/** The unit a src/ path belongs to, for the rules: `core`, `core/ports`, `cli`, `platform/freebsd`, `providers/ovh`, `secrets`, `log`, `notify`, `install`, `support`. */
function unitOf(path: string): string {
  const parts = path.split('/');
  const [top, second] = parts;
  if (parts.length === 1) return path === 'cli.ts' ? 'cli' : 'support';
  if (top === 'core') return second === 'ports' ? 'core/ports' : 'core';
  // A file right under src/platform/ or src/providers/ is a helper their adapters share.
  if (top === 'platform' || top === 'providers') return parts.length === 2 ? top : `${top}/${second}`;
  if (top === 'cli' || top === 'secrets' || top === 'log' || top === 'notify' || top === 'install') return top;
  return 'support'; // config/
}

const ADAPTER = /^(platform|providers|secrets|log|notify)(\/|$)/;

/** The OVH API client (signing, rate limit, tasks) that every OVH mechanism shares. */
const SHARED_OVH_CLIENT = 'providers/ovh';

/**
 * Imports that break a rule today, each with what removes it. Only these exact
 * pairs pass; a new breach fails the test.
 */
const KNOWN_BREACHES: Readonly<Record<string, string>> = {};

/** Why an import breaks a rule, or null. */
export function violation(from: string, to: string): string | null {
  if (to.startsWith('node:') || to.startsWith('pkg:')) {
    // Packages belong to adapters and support; the core reaches them only through ports.
    if (to.startsWith('pkg:') && (unitOf(from) === 'core' || unitOf(from) === 'core/ports')) return 'the core imports no package: an adapter does';
    return null;
  }
  const a = unitOf(from);
  const b = unitOf(to);
  if (a === b) return null;
  if (a === 'cli') return null;
  if (b === 'cli') return 'only the entry point imports the cli';
  if (a === 'core/ports' && b !== 'support') return 'the ports import nothing but support types';
  if (a === 'core' && (ADAPTER.test(b) || b === 'install')) return `the core never imports an adapter (${b})`;
  if (a.startsWith('providers/') && b === SHARED_OVH_CLIENT) return null;
  // src/platform/run-tool.ts and the like: what every platform adapter shares.
  if (a.startsWith(`${b}/`) && (b === 'platform' || b === 'providers')) return null;
  if (ADAPTER.test(a) && ADAPTER.test(b)) return `adapters never import each other (${a} → ${b})`;
  if (ADAPTER.test(a) && b === 'install') return 'adapters never import the installer';
  if (a === 'install' && b === 'core') return 'the installer imports the core only through its ports';
  if (a === 'support' && b !== 'core/ports') return `support modules import only the ports (${b})`;
  return null;
}

describe('layers', () => {
  const files = sourceFiles(SRC);
  const imports = files.flatMap((file) => importsOf(file, readFileSync(file, 'utf8')));

  test('the import reader sees what is there (static, type, re-export, dynamic)', () => {
    const sample = importsOf(
      join(SRC, 'core/x.ts'),
      [
        "import { a } from './a.ts';",
        "import type { B } from '../config/types.ts';",
        "export type * from './ports/index.ts';",
        "export { c } from '../platform/freebsd/index.ts';",
        "const m = await import('../providers/ovh/client.ts');",
        "import 'yaml';",
      ].join('\n'),
    );
    assert.deepEqual(
      sample.map((i) => i.to),
      ['core/a.ts', 'config/types.ts', 'core/ports/index.ts', 'platform/freebsd/index.ts', 'providers/ovh/client.ts', 'pkg:yaml'],
    );
    assert.ok(files.length > 50, `only ${files.length} files found under src/`);
    assert.ok(imports.length > 200, `only ${imports.length} imports found`);
  });

  test('the rules refuse what they should (so a clean tree means something)', () => {
    assert.match(violation('core/reconcile.ts', 'providers/ovh/virtual-mac.ts') ?? '', /never imports an adapter/);
    assert.match(violation('core/health/check.ts', 'log/index.ts') ?? '', /never imports an adapter/);
    assert.match(violation('core/doctor/run.ts', 'install/layout.ts') ?? '', /never imports an adapter/);
    assert.match(violation('platform/openbsd/index.ts', 'platform/freebsd/run.ts') ?? '', /never import each other/);
    assert.match(violation('providers/ovh/client.ts', 'secrets/vault.ts') ?? '', /never import each other/);
    assert.match(violation('providers/ip-move/provider.ts', 'providers/cloud/provider.ts') ?? '', /never import each other/);
    assert.match(violation('platform/openbsd/index.ts', 'providers/ovh/api.ts') ?? '', /never import each other/);
    assert.equal(violation('providers/ip-move/provider.ts', 'providers/ovh/api.ts'), null, 'the OVH client is shared by the OVH mechanisms');
    assert.equal(violation('platform/freebsd/index.ts', 'platform/run-tool.ts'), null, 'a helper right under src/platform/ is shared');
    assert.match(violation('platform/run-tool.ts', 'platform/freebsd/run.ts') ?? '', /never import each other/, 'the shared helper knows no platform');
    assert.match(violation('install/layout.ts', 'core/doctor/install.ts') ?? '', /only through its ports/);
    assert.match(violation('core/ports/platform.ts', 'core/reconcile.ts') ?? '', /ports import nothing/);
    assert.match(violation('core/status.ts', 'pkg:ovh') ?? '', /no package/);
    assert.equal(violation('cli/wire.ts', 'providers/ovh/client.ts'), null);
    assert.equal(violation('platform/freebsd/doctor.ts', 'core/doctor/checklist.ts'), null);
    assert.equal(violation('core/reconcile.ts', 'core/ports/index.ts'), null);
  });

  test('every import under src/ keeps the rules', () => {
    const broken = imports.flatMap(({ from, to, line }) => {
      if (Object.hasOwn(KNOWN_BREACHES, `${from} -> ${to}`)) return [];
      const why = violation(from, to);
      return why === null ? [] : [`src/${from}:${line} imports ${to}: ${why}`];
    });
    assert.deepEqual(broken, []);
  });
});
