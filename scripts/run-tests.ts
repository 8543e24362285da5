/**
 * `npm test`: every test file on node's own runner, then the secret scan over
 * everything those tests wrote. The scan must run last, so it is a second run;
 * the closing line adds both up.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from 'node:test';
import { spec } from 'node:test/reporters';
import { glob } from 'node:fs/promises';

const SCAN = 'test/zz-secret-scan.test.ts';
const filter = process.argv.slice(2);

const artifacts = mkdtempSync(join(tmpdir(), 'carp-ovh-test-'));
process.env.CARP_OVH_TEST_ARTIFACTS = artifacts;

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

async function runFiles(list: string[], concurrency: number): Promise<void> {
  if (list.length === 0) return;
  const stream = run({ files: list, concurrency, timeout: 120_000 });
  stream.on('test:pass', (event) => {
    if (event.details.type === 'suite') return;
    if (event.skip !== undefined && event.skip !== false) skipped++;
    else passed++;
  });
  stream.on('test:fail', (event) => {
    if (event.details.type === 'suite') return;
    failed++;
  });
  await new Promise<void>((resolve, reject) => {
    const out = stream.compose(spec);
    out.on('data', (chunk) => process.stdout.write(chunk));
    out.on('end', resolve);
    out.on('error', reject);
  });
}

await runFiles(files, 2);
if (filter.length === 0) await runFiles([SCAN], 1);

if (failed === 0 && process.env.CARP_OVH_KEEP_ARTIFACTS !== '1') rmSync(artifacts, { recursive: true, force: true });
else process.stdout.write(`test artifacts kept in ${artifacts}\n`);
process.stdout.write(`tests: ${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}\n`);
process.exitCode = failed === 0 && passed > 0 ? 0 : 1;
