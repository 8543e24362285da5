/**
 * Runs after every other test file (scripts/run-tests.ts): reads everything the
 * suite wrote — logs, state dirs, captured CLI output, fake-kernel call logs,
 * simulator request logs — and fails if any secret value appears in it.
 * The only files allowed to hold secrets are the inputs tests hand to carp-ovh
 * (secretsmith files, credential files, token files), named as such.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { SECRET_MARKERS } from './support/secrets.ts';

const INPUT_FILE = /(secretsmith|credentials|token)[^/]*$/i;

function* walk(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else if (entry.isFile()) yield path;
  }
}

test('no secret value appears in anything the suite wrote', () => {
  const root = process.env.CARP_OVH_TEST_ARTIFACTS;
  if (root === undefined) {
    // Run alone (not through npm test): nothing to scan, and saying so beats a false pass.
    assert.fail('CARP_OVH_TEST_ARTIFACTS is not set: run this file through `npm test`');
  }
  let scanned = 0;
  const leaks: string[] = [];
  for (const file of walk(root)) {
    if (INPUT_FILE.test(file)) continue;
    if (statSync(file).size > 32 * 1024 * 1024) continue;
    const text = readFileSync(file, 'latin1');
    scanned++;
    for (const marker of SECRET_MARKERS) {
      if (text.includes(marker)) leaks.push(`${file}: contains ${marker.slice(0, 6)}…`);
    }
  }
  assert.ok(scanned > 0, 'the suite wrote nothing to scan: the scan would prove nothing');
  assert.deepEqual(leaks, []);
});
