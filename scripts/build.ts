/**
 * `npm run build`: the config validator first (the bundle includes it), then one
 * esbuild bundle of the CLI into dist/.
 *
 * Why a bundle: a router starts a node process for every hook, check and claim,
 * and node's ES module loader pays per file. The dependencies alone are a few
 * hundred files (execa's tree is 130); bundled, a command reads a handful of
 * files, starts faster and holds less memory (docs/benchmarks.md measures it).
 * Every dynamic import() in the sources stays a split point, so the hook's fast
 * path still loads only what it needs and the heavy parts load where they are used.
 * Type checking is tsc's job (`npm run typecheck`, run here first).
 */
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

rmSync('dist', { recursive: true, force: true });
await build({
  entryPoints: { cli: 'src/cli.ts' },
  outdir: 'dist',
  // Chunks one folder down: no module of ours resolves a path from its own location (see src/package-root.ts).
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  // Some dependencies are CommonJS and call require() for node's own modules (the
  // bundle holds every other module). process.getBuiltinModule, not createRequire:
  // importing node:module costs the hook's fast path three more built-in modules.
  banner: {
    js: 'const require = (id) => { const m = process.getBuiltinModule(id); if (m === undefined) throw new Error(`carp-ovh: the bundle asked for ${id}, which is not a node built-in`); return m; };',
  },
  minifySyntax: true,
  minifyWhitespace: true,
  legalComments: 'external',
  logLevel: 'warning',
});
