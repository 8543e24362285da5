/**
 * `npm run build`: the config validator first (the bundle includes it), then two
 * esbuild bundles into dist/.
 *
 * Why bundles: a router starts a node process for every hook, check and claim,
 * and node's ES module loader pays per file. The dependencies alone are a few
 * hundred files (yaml, ajv, ovh and pino ship over 400); bundled, a command reads a handful of
 * files, starts faster and holds less memory (docs/benchmarks.md measures it).
 *
 * - dist/main.js and dist/chunks/: every command (src/cli/main.ts). Each dynamic
 *   import() stays a split point, so a command loads only what it uses.
 * - dist/cli.js: the entry (src/cli.ts) in one file, with the hook's fast path
 *   inside it and main.js left outside. Split, that path read 16 files; shared
 *   chunks cannot be merged, and one file returns the hook about 20 ms sooner
 *   (the hook start-up section of docs/benchmarks.md).
 * Type checking is tsc's job (`npm run typecheck`, run here first).
 */
import { rmSync } from 'node:fs';
import { type BuildOptions, build } from 'esbuild';

const common: BuildOptions = {
  outdir: 'dist',
  bundle: true,
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
};

rmSync('dist', { recursive: true, force: true });
await build({
  ...common,
  entryPoints: { main: 'src/cli/main.ts' },
  // Chunks one folder down: no module of ours resolves a path from its own location (see src/package-root.ts).
  chunkNames: 'chunks/[name]-[hash]',
  splitting: true,
});
await build({
  ...common,
  entryPoints: { cli: 'src/cli.ts' },
  splitting: false,
  plugins: [
    {
      // The entry's one way into the rest: main.js from the build above. Anything
      // else the fast path imports is bundled here (the three hook argument parsers too).
      name: 'main-outside',
      setup(esbuild) {
        esbuild.onResolve({ filter: /^\.\/cli\/main\.ts$/ }, () => ({ path: './main.js', external: true }));
      },
    },
  ],
});
