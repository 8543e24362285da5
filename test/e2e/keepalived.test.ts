/**
 * The Linux story with real elections: two keepalived routers in network
 * namespaces, carp-ovh wired in through the snippets `carp-ovh install` writes,
 * the OVH and Vault simulators on loopback.
 *
 *   1. a is MASTER and claims the VIP at OVH;
 *   2. a's keepalived is killed: b becomes MASTER and claims it;
 *   3. a comes back and stays BACKUP (equal priorities); b loses Vault, its
 *      `check` writes the track file, keepalived drops b's priority, a preempts
 *      and claims the VIP back.
 *
 * Each step is asserted on keepalived's own state (its log), on the kernel (the
 * VIP on the interface) and on the simulator's placement; timings are printed.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PAIR_VIP, skipUnlessKeepalived } from '../support/keepalived-pair.ts';
import { KA_SERVER, startKeepalivedWorld, type KeepalivedRouter, type KeepalivedWorld } from '../support/keepalived-world.ts';

const skip = skipUnlessKeepalived();

async function until(condition: () => boolean, what: string, timeoutMs = 60_000): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return performance.now();
}

function lastClaimOk(router: KeepalivedRouter): boolean {
  return router.logLines().some((line) => typeof line.msg === 'string' && /claim finished successfully/.test(line.msg));
}

function describeRouters(world: KeepalivedWorld): string {
  const tail = (router: KeepalivedRouter): string =>
    router
      .logLines()
      .slice(-8)
      .map((line) => `    ${String(line.msg)}`)
      .join('\n');
  const keepalived = (router: KeepalivedRouter): string =>
    router.node
      .log()
      .split('\n')
      .filter((line) => /VI_1|script|notify|rror/i.test(line))
      .slice(-6)
      .map((line) => `    keepalived: ${line}`)
      .join('\n');
  return `OVH holders: ${world.holders().join(', ') || 'none'}\n  a (${world.a.node.state()}):\n${tail(world.a)}\n${keepalived(world.a)}\n  b (${world.b.node.state()}):\n${tail(world.b)}\n${keepalived(world.b)}`;
}

test('keepalived pair: a MASTER claims, a dies and b claims, b loses Vault and a preempts and claims back', { skip, timeout: 115_000 }, async () => {
  const world = await startKeepalivedWorld({ label: 'keepalived-e2e' });
  const { a, b } = world;
  const timings: string[] = [];
  const note = (text: string): void => {
    timings.push(text);
    console.log(`keepalived e2e: ${text}`);
  };
  try {
    // 1. a alone: keepalived elects it, notify runs carp-ovh hook, the VIP moves from b's vMAC to a's.
    const t0 = performance.now();
    await a.node.start();
    const aMaster = await a.node.waitState('MASTER');
    await a.node.waitVip(true);
    const aAtOvh = await until(() => world.holders().join() === a.mac, `the VIP on a's vMAC at OVH\n${describeRouters(world)}`);
    note(`a MASTER after ${Math.round(aMaster - t0)} ms (keepalived's first election), VIP on a at OVH ${Math.round(aAtOvh - aMaster)} ms later`);
    await until(() => lastClaimOk(a), "a's claim to finish");

    // b joins at the same priority and stays BACKUP behind a.
    await b.node.start();
    await b.node.waitState('BACKUP');
    assert.equal(a.node.state(), 'MASTER');
    assert.equal(b.trackValue(), '0', 'nothing demoted b yet');

    // 2. a dies without a word: b times a out, becomes MASTER and claims.
    const death = performance.now();
    await a.node.kill('SIGKILL');
    const bMaster = await b.node.waitState('MASTER');
    await b.node.waitVip(true);
    const bAtOvh = await until(() => world.holders().join() === b.mac, `the VIP on b's vMAC at OVH\n${describeRouters(world)}`);
    note(
      `a killed → b MASTER in ${Math.round(bMaster - death)} ms (keepalived), VIP on b at OVH ${Math.round(bAtOvh - death)} ms after the death (claim ${Math.round(bAtOvh - bMaster)} ms)`,
    );
    await until(() => lastClaimOk(b), "b's claim to finish");
    assert.ok(!world.ovh.virtualAddresses(KA_SERVER, a.mac).includes(PAIR_VIP), "a's vMAC no longer lists the VIP");

    // 3. a comes back: equal priority, so it stays BACKUP and the VIP stays with b.
    await a.node.start();
    await a.node.waitState('BACKUP');
    assert.equal(b.node.state(), 'MASTER');
    assert.deepEqual(world.holders(), [b.mac]);

    // b loses Vault: its check cannot read the OVH keys, so it demotes b through the track file.
    b.vaultLink.cut();
    const cut = performance.now();
    const check = await b.cli(['check'], { timeoutMs: 60_000 });
    assert.equal(check.code, 1, `check reports the failing probe with exit 1\n${check.stdout}${check.stderr}`);
    assert.equal(b.trackValue(), '1', 'b demoted: the track file holds our share');
    const written = performance.now();
    await b.node.waitPriority(1);
    const aBack = await a.node.waitState('MASTER');
    await b.node.waitState('BACKUP');
    await a.node.waitVip(true);
    await b.node.waitVip(false);
    const aBackAtOvh = await until(() => world.holders().join() === a.mac, `the VIP back on a's vMAC at OVH\n${describeRouters(world)}`);
    note(
      `b's Vault cut → check wrote the track file in ${Math.round(written - cut)} ms; a MASTER ${Math.round(aBack - written)} ms later (keepalived preempts); VIP on a at OVH ${Math.round(aBackAtOvh - aBack)} ms after that`,
    );
    await until(() => lastClaimOk(a), "a's second claim to finish");
    // b, now BACKUP, was told so by keepalived and did nothing at OVH.
    assert.ok(
      b.logLines().some((line) => typeof line.msg === 'string' && /BACKUP/.test(line.msg)),
      'b logged its BACKUP event',
    );
    b.vaultLink.restore();
  } finally {
    await world.close();
  }
  assert.equal(timings.length, 3);
});
