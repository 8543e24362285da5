/**
 * Generated hostile hook arguments (seeded, reproducible): every one is refused
 * by the validator with a usage error, and a sample of them through the real
 * CLI exits 2 without a network call, a worker or anything run. The internal
 * claim-worker command checks its own arguments just as strictly.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseHookEvent } from '../../src/platform/freebsd/hook-args.ts';
import { isCarpOvhError } from '../../src/errors.ts';
import { hostileHookArgs, validHookArgs, type HookInput } from '../support/reliability-generate.ts';
import { seedPair, startWorld, type Router, type World } from '../support/world.ts';

const SEED = 7_2026;
const COUNT = 1200;
/** C0 and C1 controls, and the bidi overrides that make a log line lie about its content. */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

function refusal(args: string[]): Error {
  try {
    parseHookEvent(args);
  } catch (error) {
    return error as Error;
  }
  assert.fail(`accepted ${JSON.stringify(args).slice(0, 200)}`);
}

describe('hook arguments: generated', () => {
  const marker = join('/tmp', `carp-ovh-never-${process.pid}`);
  const inputs = hostileHookArgs(SEED, COUNT, marker);

  test(`${COUNT} hostile argument lists (seed ${SEED}) are each refused as bad input, with a bounded, escaped message`, () => {
    const kinds = new Map<string, number>();
    for (const input of inputs) {
      kinds.set(input.kind, (kinds.get(input.kind) ?? 0) + 1);
      const error = refusal(input.args);
      const where = `${input.kind} ${JSON.stringify(input.args).slice(0, 120)}`;
      assert.ok(isCarpOvhError(error), `${where}: ${String(error)}`);
      assert.equal(error.badInput, true, where);
      assert.equal(error.source, 'cli', where);
      const [first = '', usage] = error.message.split('\n');
      assert.ok(first.length <= 200, `${where}: a message of ${first.length} characters`);
      assert.doesNotMatch(first, UNSAFE, `${where}: raw control or bidi characters in ${JSON.stringify(first)}`);
      assert.equal(usage, 'usage: carp-ovh hook <vhid@iface> <MASTER|BACKUP|INIT> [--wait | --dry-run]', where);
    }
    // Every family is well represented, so the count means something.
    for (const kind of ['shell', 'unicode', 'control', 'huge', 'empty', 'near-miss', 'arity']) {
      assert.ok((kinds.get(kind) ?? 0) >= 100, `only ${kinds.get(kind) ?? 0} ${kind} inputs`);
    }
  });

  test('500 generated valid events are accepted as they are (the validator does not refuse everything)', () => {
    for (const { args, vhid, iface, type } of validHookArgs(SEED, 500)) {
      assert.deepEqual(parseHookEvent(args), { vhid, iface, key: `${vhid}@${iface}`, type }, JSON.stringify(args));
    }
  });

  describe('a sample through the real CLI (subprocess)', () => {
    let world: World;
    let router: Router;
    before(async () => {
      world = await startWorld({ label: 'bad-input-hook' });
      router = seedPair(world).r002;
      router.setState('MASTER');
    });
    after(() => world.close());

    // Six of each family, evenly spread over the generated list. argv cannot carry NUL
    // (devd's cannot either), and Linux caps one argument at 128 KiB.
    const sample: HookInput[] = [];
    const passable = (input: HookInput): boolean => input.args.every((a) => !a.includes('\u0000') && Buffer.byteLength(a) < 100_000);
    for (const kind of ['shell', 'unicode', 'control', 'huge', 'empty', 'near-miss', 'arity']) {
      const family = inputs.filter((i) => i.kind === kind && passable(i));
      for (let n = 0; n < 6; n++) {
        const input = family[Math.floor((n * family.length) / 6)];
        if (input !== undefined) sample.push(input);
      }
    }

    test(`${sample.length} of them: exit 2, a usage error, no OVH call, no worker, nothing executed`, async () => {
      assert.ok(sample.length >= 40);
      world.ovh.clearLog();
      for (let at = 0; at < sample.length; at += 4) {
        const batch = sample.slice(at, at + 4);
        const results = await Promise.all(batch.map((input) => router.cli(['hook', ...input.args])));
        results.forEach((result, i) => {
          const where = `${batch[i]?.kind} ${JSON.stringify(batch[i]?.args).slice(0, 120)}`;
          assert.equal(result.code, 2, `${where}\n${result.stderr}`);
          assert.match(result.stderr, /^carp-ovh: /, where);
          assert.ok(result.stderr.length < 2000, `${where}: ${result.stderr.length} bytes of stderr`);
          assert.doesNotMatch(result.stderr, /\n\s+at /, `${where}: a stack trace`);
          assert.equal(result.stdout, '', where);
        });
      }
      assert.equal(world.ovh.requests().length, 0, 'no OVH call');
      assert.equal(world.vault.counters.requests, 0, 'no Vault call');
      assert.equal(existsSync(router.stateDir), false, 'no worker ran (it would have created the state dir)');
      assert.equal(existsSync(marker), false, 'nothing was executed');
    });
  });
});

describe('claim-worker (internal) arguments', () => {
  let world: World;
  let router: Router;
  const marker = join('/tmp', `carp-ovh-never-worker-${process.pid}`);
  before(async () => {
    world = await startWorld({ label: 'bad-input-worker' });
    router = seedPair(world).r002;
    router.setState('MASTER');
  });
  after(() => world.close());

  const bad: Array<[string, string[]]> = [
    ['no arguments', []],
    ['no --seq', ['2@vmx1', 'MASTER']],
    ['--seq not a number', ['--seq', 'abc', '2@vmx1', 'MASTER']],
    ['--seq negative', ['--seq', '-1', '2@vmx1', 'MASTER']],
    ['--seq in exponent form', ['--seq', '1e9', '2@vmx1', 'MASTER']],
    ['--seq with a space', ['--seq', '12 ', '2@vmx1', 'MASTER']],
    ['--seq of 31 digits', ['--seq', '9'.repeat(31), '2@vmx1', 'MASTER']],
    ['--seq empty', ['--seq=', '2@vmx1', 'MASTER']],
    ['--reconcile with arguments', ['--seq', '12', '--reconcile', '2@vmx1']],
    ['an unknown option', ['--seq', '12', '--now', '2@vmx1', 'MASTER']],
    ['a shell payload in the subsystem', ['--seq', '12', `2@vmx1$(touch ${marker})`, 'MASTER']],
    ['a bad type', ['--seq', '12', '2@vmx1', `MASTER;touch ${marker}`]],
    ['one positional', ['--seq', '12', '2@vmx1']],
  ];

  for (const [name, args] of bad) {
    test(`${name}: exit 2, nothing started`, async () => {
      world.ovh.clearLog();
      const result = await router.cli(['claim-worker', ...args]);
      assert.equal(result.code, 2, result.stderr);
      assert.doesNotMatch(result.stderr, /\n\s+at /);
      assert.equal(world.ovh.requests().length, 0);
      assert.equal(existsSync(router.stateDir), false);
      assert.equal(existsSync(marker), false);
    });
  }
});
