/**
 * Preloaded into every test file's process by scripts/run-tests.ts (`--import`):
 * turns on node's compile cache for that process only, in the directory the
 * runner made for this run, and serves test/'s TypeScript files from the copies
 * the runner stripped of their types before the run. A test file spends ~0.35 s
 * of CPU stripping the types of and compiling test/support's modules; with the
 * cache warm it spends ~0.13 s, and the suite runs ~100 files. Node's own
 * stripping would still load its type stripper (~0.1 s of CPU) for the one file
 * no process before has loaded: the test file itself. The processes a test
 * starts (carp-ovh itself among them) are not affected: the cache and the hook
 * are this process's settings, not environment variables they inherit.
 *
 * JavaScript, not TypeScript: a preload in TypeScript makes node load its type
 * stripper before any of this is on.
 */
import { readFileSync } from 'node:fs';
import { enableCompileCache, registerHooks } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cache = process.env.CARP_OVH_TEST_COMPILE_CACHE;
if (cache !== undefined && cache !== '') enableCompileCache(cache);

const stripped = process.env.CARP_OVH_TEST_STRIPPED;
if (stripped !== undefined && stripped !== '') {
  registerHooks({
    load(url, context, nextLoad) {
      if (!url.startsWith('file:') || !url.endsWith('.ts')) return nextLoad(url, context);
      let source;
      try {
        source = readFileSync(join(stripped, encodeURIComponent(fileURLToPath(url))), 'utf8');
      } catch {
        return nextLoad(url, context); // not under test/ (a file made during the run): node strips it
      }
      return { format: 'module', source, shortCircuit: true };
    },
  });
}
