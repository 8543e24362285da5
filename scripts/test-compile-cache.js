/**
 * Preloaded into every test file's process by scripts/run-tests.ts (`--import`):
 * turns on node's compile cache for that process only, in the directory the
 * runner made for this run. A test file spends ~0.35 s of CPU stripping the
 * types of and compiling test/support's modules; with the cache warm it
 * spends ~0.13 s, and the suite runs ~100 files. The processes a test starts
 * (carp-ovh itself among them) are not affected: the cache is this process's
 * setting, not an environment variable they inherit.
 *
 * JavaScript, not TypeScript: a preload in TypeScript makes node load its type
 * stripper before the cache is on, ~0.1 s of CPU in every test file's process
 * (0.60 -> 0.50 s for test/state, three runs each); with the cache on first,
 * the test files' stripped code comes from the cache.
 */
import { enableCompileCache } from 'node:module';

const dir = process.env.CARP_OVH_TEST_COMPILE_CACHE;
if (dir !== undefined && dir !== '') enableCompileCache(dir);
