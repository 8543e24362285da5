/**
 * carp-ovh run by relative paths (`node dist/cli.js --config carp-ovh.yaml`, from
 * the directory that holds them): what it starts in the background (the claim
 * worker, notify-run) runs in /, so it must be handed absolute paths. A relative
 * --config reached the hook's worker as it was: the hook returned 0 and the claim
 * never started. (node makes argv[1] absolute itself, which notify-run relies on.)
 */
import assert from 'node:assert/strict';
import { appendFileSync, chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CLI_PATH, runCli } from '../support/cli.ts';
import { seedState } from '../support/ovh-sim/state.ts';
import { awaitDetachedWorkers } from '../support/wait.ts';
import { holdersOf, SEED_MAC_ROUTER_002, SEED_MAC_ROUTER_003, startWorld, waitFor, type Router, type World } from '../support/world.ts';

describe('relative paths on the command line', () => {
  let world: World;
  before(async () => {
    world = await startWorld({ label: 'relative-paths' });
  });
  after(() => world.close());

  /** Runs the CLI from the router's directory, naming the entry and the config relative to it. */
  function fromRouterDir(router: Router, args: string[]) {
    return runCli(['--config', basename(router.configPath), ...args], { cwd: router.dir, entry: relative(router.dir, CLI_PATH), captureDir: router.dir });
  }

  test('the hook hands the detached worker an absolute --config: it claims', async () => {
    world.ovh.setState(seedState());
    const router = world.router({ name: 'router-rel-hook', mac: SEED_MAC_ROUTER_002, ownAddress: '178.32.70.110', state: 'MASTER' });
    assert.deepEqual(holdersOf(world), [SEED_MAC_ROUTER_003]);
    const hook = await fromRouterDir(router, ['hook', '2@vmx1', 'MASTER']);
    assert.equal(hook.code, 0, hook.stderr);
    // The worker is found by the absolute path of its --config.
    await awaitDetachedWorkers(router.configPath);
    assert.deepEqual(holdersOf(world), [SEED_MAC_ROUTER_002], JSON.stringify(router.logLines().map((l) => l.msg)));
    assert.equal(router.lastClaim()?.result, 'ok');
  });

  test('a command started by a relative entry still runs the notify scripts', async () => {
    world.ovh.setState(seedState());
    const router = world.router({ name: 'router-rel-notify', mac: SEED_MAC_ROUTER_002, ownAddress: '178.32.70.110', state: 'MASTER' });
    const scripts = join(router.dir, 'notify.d');
    mkdirSync(scripts);
    const record = join(router.dir, 'received.txt');
    const script = join(scripts, 'record');
    writeFileSync(script, `#!/bin/sh\ncat >> ${record}\necho >> ${record}\n`);
    chmodSync(script, 0o755);
    appendFileSync(router.configPath, `notify:\n  scripts: ${scripts}\n  timeout: 20s\n`);
    // maintenance runs in the foreground and notifies from its own process (the hook's claim notifies from its worker).
    // The peer never takes over in this world: enter ends at its timeout (exit 1), its events sent all the same.
    const enter = await fromRouterDir(router, ['maintenance', 'enter', '--timeout', '200ms']);
    assert.equal(enter.code, 1, enter.stderr);
    await waitFor(
      () => existsSync(record) && readFileSync(record, 'utf8').includes('"maintenance-entered"'),
      30_000,
      'the notify script to receive maintenance-entered',
    );
  });
});
