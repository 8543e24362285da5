/**
 * `npm test`: every test file on node's own runner, then the secret scan over
 * everything those tests wrote. The scan must run last, so it is a second run;
 * the closing line adds both up.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { stripTypeScriptTypes } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from 'node:test';
import { spec } from 'node:test/reporters';
import { glob } from 'node:fs/promises';

const SCAN = 'test/zz-secret-scan.test.ts';
const started = performance.now();
const filter = process.argv.slice(2);

const artifacts = mkdtempSync(join(tmpdir(), 'carp-ovh-test-'));
process.env.CARP_OVH_TEST_ARTIFACTS = artifacts;
// Outside the artifacts: compiled test code holds the fixtures' secrets, which the secret scan would find there.
const compileCache = mkdtempSync(join(tmpdir(), 'carp-ovh-test-compile-cache-'));
process.env.CARP_OVH_TEST_COMPILE_CACHE = compileCache;
const PRELOAD = ['--import', fileURLToPath(new URL('./test-compile-cache.js', import.meta.url))];

/**
 * Every TypeScript file under test/, stripped of its types once, here: node
 * would load its type stripper (~0.1 s of CPU) in every test file's process,
 * because that process's own file is never in the compile cache yet. The
 * preload serves these (see test-compile-cache.js). Stripping blanks the types
 * out, so lines and columns in a stack trace stay the file's own.
 */
async function stripTestTypes(into: string): Promise<void> {
  mkdirSync(into);
  for await (const file of glob('test/**/*.ts')) {
    const path = resolve(file);
    writeFileSync(join(into, encodeURIComponent(path)), stripTypeScriptTypes(readFileSync(path, 'utf8')));
  }
}
const stripped = join(compileCache, 'stripped');
await stripTestTypes(stripped);
process.env.CARP_OVH_TEST_STRIPPED = stripped;

const files: string[] = [];
for await (const file of glob('test/**/*.test.ts')) {
  if (file === SCAN) continue;
  if (filter.length > 0 && !filter.some((f) => file.includes(f))) continue;
  files.push(file);
}
files.sort();

let passed = 0;
let failed = 0;
let skipped = 0;
/** Every failed test, for the closing summary and for scripts/stress.ts (CARP_OVH_TEST_FAILURES names a JSON file). */
const failures: Array<{ name: string; file: string; line?: number }> = [];

/**
 * Test files at a time. Most of a file's time is spent waiting on simulated OVH
 * tasks and deadlines, not on the CPU, so more files than cores keep the machine
 * busy; CARP_OVH_TEST_CONCURRENCY overrides it.
 */
function concurrency(): number {
  const raw = process.env.CARP_OVH_TEST_CONCURRENCY;
  if (raw === undefined || raw === '') return 3;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`CARP_OVH_TEST_CONCURRENCY: ${JSON.stringify(raw)} is not a positive integer`);
  return n;
}

async function runFiles(list: string[], concurrency: number): Promise<void> {
  if (list.length === 0) return;
  // A per-test bound for a stuck test, not a speed limit: a test that waits on a
  // loaded machine (the stress run, a busy CI) must not be cut short.
  const stream = run({ files: list, concurrency, timeout: 300_000, execArgv: PRELOAD });
  stream.on('test:pass', (event) => {
    if (event.details.type === 'suite') return;
    if (event.skip !== undefined && event.skip !== false) skipped++;
    else passed++;
  });
  stream.on('test:fail', (event) => {
    // A suite fails with its tests (already counted), or on its own when a
    // before/after hook failed: that one counts (a world that could not close).
    const cause = event.details.error as { failureType?: string } | undefined;
    if (event.details.type === 'suite' && cause?.failureType !== 'hookFailed') return;
    failed++;
    failures.push({ name: event.name, file: event.file ?? '(unknown file)', ...(event.line === undefined ? {} : { line: event.line }) });
  });
  await new Promise<void>((resolve, reject) => {
    const out = stream.compose(spec);
    out.on('data', (chunk) => process.stdout.write(chunk));
    out.on('end', resolve);
    out.on('error', reject);
  });
}

try {
  await runFiles(files, concurrency());
  if (filter.length === 0) await runFiles([SCAN], 1);
} finally {
  rmSync(compileCache, { recursive: true, force: true });
}

if (failed === 0 && process.env.CARP_OVH_KEEP_ARTIFACTS !== '1') rmSync(artifacts, { recursive: true, force: true });
else process.stdout.write(`test artifacts kept in ${artifacts}\n`);
const seconds = (performance.now() - started) / 1000;
if (process.env.CARP_OVH_TEST_FAILURES !== undefined)
  writeFileSync(process.env.CARP_OVH_TEST_FAILURES, `${JSON.stringify({ passed, failed, skipped, seconds, failures })}\n`);
for (const f of failures) process.stdout.write(`failed: ${f.file}${f.line === undefined ? '' : `:${f.line}`} ${f.name}\n`);
process.stdout.write(`total time: ${seconds.toFixed(1)} s\n`);
process.stdout.write(`tests: ${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}\n`);
process.exitCode = failed === 0 && passed > 0 ? 0 : 1;
