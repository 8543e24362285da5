import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { cloudHolder, cloudSeedState, edge, EDGES } from '../support/openbsd-world.ts';
import { startWorld, stderrLines, type World } from '../support/world.ts';

/**
 * The OpenBSD + Public Cloud setup end to end: ifstated's run lines call the real
 * CLI, which reads carp0 from the fake OpenBSD ifconfig, aliases the failover IP on
 * vio0 and attaches it at the OVH simulator's Public Cloud routes.
 */

let world: World;
/** Generous: each fake ifconfig is a node process, slow on a loaded machine. */
const TUNING = '  timeout: 10s\n  poll_interval: 20ms\n  deadline: 120s\n  max_rpm: 6000\n  retries: 2';

before(async () => {
  world = await startWorld({ label: 'openbsd-cloud', ovh: { delays: { attach: 50 }, state: cloudSeedState() } });
});

after(async () => {
  await world.close();
});

describe('hook carp0 on OpenBSD with via: cloud', () => {
  it('MASTER aliases the failover IP on vio0 and attaches it here; BACKUP drops the alias; bad arguments exit 2', async () => {
    const edge1 = edge(world, { index: 0, state: 'MASTER', ovhExtra: TUNING });
    const edge2 = edge(world, { index: 1, state: 'BACKUP', ovhExtra: TUNING });
    edge1.kernel.update((state) => {
      state.interfaces.vio0?.inet?.push({ addr: '146.59.143.231', prefix: 32 });
    });

    // edge1 dies (carp0 goes INIT), edge2 becomes MASTER: ifstated runs its MASTER line.
    edge1.setState('INIT');
    edge2.setState('MASTER');
    const master = await edge2.hook('MASTER', { wait: true });
    assert.equal(master.code, 0, master.stderr);
    assert.equal(cloudHolder(world), EDGES[1].id);
    assert.equal(edge2.aliased(), true);
    const claim = edge2.lastClaim() as {
      result?: string;
      vhids?: Array<{ key?: string; mac?: string; addresses?: Array<{ result?: string; from?: string }> }>;
    };
    assert.equal(claim.result, 'ok');
    assert.equal(claim.vhids?.[0]?.key, 'carp0');
    assert.equal(claim.vhids?.[0]?.mac, EDGES[1].vio0, "our MAC is the alias interface's, never carp0's");
    assert.deepEqual(
      claim.vhids?.[0]?.addresses?.map((a) => [a.result, a.from]),
      [['moved', EDGES[0].id]],
    );
    // The alias went on before the attach was sent.
    const lines = stderrLines(master.stderr).map((l) => String(l.msg));
    const aliasAt = lines.findIndex((m) => m.startsWith('Added 146.59.143.231/32 as an alias on vio0'));
    const attachAt = lines.findIndex((m) => m.startsWith('Attaching 146.59.143.231'));
    assert.ok(aliasAt >= 0 && attachAt > aliasAt, lines.join('\n'));

    // edge1 comes back as BACKUP: its BACKUP line removes its stale alias, and changes nothing at OVH.
    edge1.setState('BACKUP');
    world.ovh.clearLog();
    const backup = await edge1.hook('BACKUP', { wait: true });
    assert.equal(backup.code, 0, backup.stderr);
    assert.equal(edge1.aliased(), false);
    assert.deepEqual(
      world.ovh.requests().filter((r) => r.method !== 'GET'),
      [],
    );

    for (const args of [['carp0'], ['carp0', 'FAULT'], ['2@vmx1', 'MASTER'], ['carp0;id', 'MASTER']]) {
      const bad = await edge1.cli(['hook', ...args]);
      assert.equal(bad.code, 2, `${args.join(' ')}: ${bad.stderr}`);
      assert.match(bad.stderr, /usage: carp-ovh hook <carp interface>/);
    }
  });
});
