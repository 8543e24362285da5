import { mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Every test writes its files (configs, state dirs, logs, captured output) under
 * one artifacts directory, so the final secret scan can read all of them.
 * scripts/run-tests.ts sets CARP_OVH_TEST_ARTIFACTS; a lone test run falls back to /tmp.
 */
export function artifactsRoot(): string {
  const root = process.env.CARP_OVH_TEST_ARTIFACTS ?? join(tmpdir(), 'carp-ovh-test-artifacts');
  mkdirSync(root, { recursive: true, mode: 0o700 });
  return root;
}

export function makeTempDir(label: string): string {
  const safe = label.replace(/[^a-zA-Z0-9_-]+/g, '-').slice(0, 40);
  return mkdtempSync(join(artifactsRoot(), `${safe}-`));
}
