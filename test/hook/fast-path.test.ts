/**
 * What the hook loads before it returns: devd waits on it, so its fast path must
 * stay free of the packages and of the built-ins that only other commands need.
 * A preloaded recorder (plain JavaScript, so node loads no type stripper) writes,
 * at exit, every module file the process loaded and node's own list of built-ins.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { CLI_PATH, runCli, writeMinimalHookConfig } from '../support/cli.ts';
import { makeTempDir } from '../support/tmp.ts';
import { awaitDetachedWorkers } from '../support/wait.ts';

// getBuiltinModule, not imports: the recorder must not load what it looks for.
const RECORDER = `
const { registerHooks } = process.getBuiltinModule('node:module');
const { writeFileSync } = process.getBuiltinModule('node:fs');
const files = [];
registerHooks({ load(url, context, next) { files.push(url); return next(url, context); } });
process.on('exit', () => {
  writeFileSync(process.env.FAST_PATH_OUT + '/' + process.pid + '.json',
    JSON.stringify({ argv: process.argv.slice(2), files, builtins: process.moduleLoadList }));
});
`;

/** Built-ins the hook has no use for: each one came with an ES module import of a larger built-in. */
const NOT_ON_THE_FAST_PATH = [
  'NativeModule internal/fs/promises', // an import of node:fs or node:fs/promises
  'NativeModule internal/readline/interface', // the same
  'NativeModule internal/deps/undici/undici', // an import of node:http
  'NativeModule internal/deps/amaro/dist/index', // TypeScript stripping: the built CLI is JavaScript
];

test('hook loads dist/cli.js alone, no package, and none of the built-ins other commands need', async () => {
  const dir = makeTempDir('fast-path');
  const out = join(dir, 'out');
  mkdirSync(out);
  const recorder = join(dir, 'recorder.mjs');
  writeFileSync(recorder, RECORDER);
  const config = writeMinimalHookConfig(dir);
  const result = await runCli(['--config', config, 'hook', '2@vmx1', 'BACKUP'], {
    env: { NODE_OPTIONS: `--import ${recorder}`, FAST_PATH_OUT: out },
  });
  // The worker it started inherits the recorder; it must end before the files are read.
  await awaitDetachedWorkers(config);
  assert.equal(result.code, 0, result.stderr);

  const reports = readdirSync(out).map((name) => JSON.parse(readFileSync(join(out, name), 'utf8')) as { argv: string[]; files: string[]; builtins: string[] });
  const hook = reports.find((r) => r.argv.includes('hook'));
  assert.ok(hook !== undefined, `no report from the hook process among ${reports.length}`);

  const dist = join(CLI_PATH, '..');
  const ours = hook.files.filter((url) => url.startsWith('file:')).map((url) => relative(dist, new URL(url).pathname));
  // One file: node pays for each module file it loads (scripts/build.ts).
  assert.deepEqual(ours, ['cli.js'], 'the hook runs from the entry file alone, not from main.js or the chunks');
  assert.ok(!hook.files.some((url) => url.includes('node_modules')), 'no package is loaded');
  const bytes = ours.reduce((sum, file) => sum + readFileSync(join(dist, file)).length, 0);
  assert.ok(bytes < 64 * 1024, `the fast path reads ${bytes} bytes of JavaScript: something heavy joined it`);

  const unwanted = NOT_ON_THE_FAST_PATH.filter((name) => hook.builtins.includes(name));
  assert.deepEqual(unwanted, [], 'built-ins the hook does not need stayed unloaded');
  // The recorder itself proves it can see them: the worker loads the packages and fs/promises.
  const worker = reports.find((r) => r.argv.includes('claim-worker'));
  assert.ok(worker !== undefined, 'the worker reported too');
  assert.ok(worker.builtins.includes('NativeModule internal/fs/promises'), 'the recorder sees what a full command loads');
});
