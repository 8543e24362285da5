/**
 * The OpenBSD story (--story openbsd-cloud): the failover of the seed's OpenBSD
 * edge instances on OVH Public Cloud (fake OpenBSD kernels). CARP talks on the
 * private network (carp0 on vio2); the failover IP lives as a /32 alias on the
 * external interface vio0; ifstated runs `carp-ovh hook carp0 MASTER|BACKUP` as a
 * real subprocess on each carp0 link change; `via: cloud` attaches the IP.
 *
 *   1. bi-edge-sbg-1 is MASTER: OVH routes the failover IP to it, aliased on its vio0.
 *   2. Its carp0 goes down (the seed's test: ifconfig carp0 down); bi-edge-sbg-2
 *      becomes MASTER, aliases the IP on vio0 and attaches it at OVH; bi-edge-sbg-1
 *      drops its alias.
 *   3. bi-edge-sbg-2 can no longer ping the outside (the seed's ifstated ping test,
 *      here a health script); its `check` raises the carp group's demote count.
 *   4. bi-edge-sbg-1's carp0 is back; it takes over from the demoted master (the
 *      demote count decides, whatever preempt says) and takes the IP back.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatDuration } from '../src/duration.ts';
import { electNodes, openBsdNode, type CarpNode, type NodeMember } from '../test/support/carp-election.ts';
import { CLOUD_FIP, cloudHolder, cloudSeedState, edge, type Edge } from '../test/support/openbsd-world.ts';
import { startWorld, waitFor } from '../test/support/world.ts';
import type { Timeline } from './timeline.ts';

/** The seed's ifstated test, `ping -q -c 1 -w 1 8.8.8.8`, as a health script: it fails once the route is cut. */
function pingScript(edge: Edge): string {
  const cut = join(edge.dir, 'external-route-cut');
  writeFileSync(
    join(edge.scriptsDir, 'ping-external'),
    `#!/bin/sh\n# The seed's ifstated ping test; the demo cuts the route by creating ${cut}.\ntest ! -e '${cut}'\n`,
    { mode: 0o755 },
  );
  return cut;
}

export async function openBsdCloudStory(timeline: Timeline, delayMs: number): Promise<void> {
  const world = await startWorld({ label: 'demo-openbsd', ovh: { delays: { attach: delayMs }, state: cloudSeedState() } });
  const tuning = `  timeout: 10s\n  poll_interval: ${Math.max(50, Math.min(1000, Math.round(delayMs / 20)))}ms\n  deadline: ${Math.round((delayMs * 2) / 1000) + 60}s`;
  const note = timeline.note.bind(timeline);
  const expect = timeline.expect.bind(timeline);
  const edges: Edge[] = [];
  try {
    const edge1 = edge(world, { index: 0, state: 'MASTER', ovhExtra: tuning });
    const edge2 = edge(world, { index: 1, state: 'BACKUP', ovhExtra: tuning });
    edges.push(edge1, edge2);
    edge1.kernel.update((state) => {
      state.interfaces.vio0?.inet?.push({ addr: CLOUD_FIP, prefix: 32 });
    });
    const routeCut = pingScript(edge2);
    const members: NodeMember[] = [
      { node: openBsdNode(edge1), up: true },
      { node: openBsdNode(edge2), up: true },
    ];
    const onEvent = (node: CarpNode, from: string, to: string): void => {
      note(node.name, `kernel: carp0: state transition: ${from} -> ${to}`);
      // ifstated sees MASTER as carp0.link.up, BACKUP and INIT as carp0.link.down.
      note(node.name, `ifstated: carp0.link.${to === 'MASTER' ? 'up' : 'down'}: run carp-ovh hook carp0 ${to === 'MASTER' ? 'MASTER' : 'BACKUP'}`);
    };
    const byId = new Map(edges.map((e) => [e.id, e.name]));
    const where = (): string => {
      const holder = cloudHolder(world);
      return holder === null ? 'routed nowhere' : `routed to ${byId.get(holder) ?? holder} (${holder})`;
    };
    const aliases = (): string => edges.map((e) => `${e.name} ${e.aliased() ? 'has' : 'has no'} alias on vio0`).join(', ');
    const claimed = (e: Edge) => (e.lastClaim() as { result?: string; at?: string } | null) ?? null;

    process.stdout.write(
      `carp-ovh demo (OpenBSD, Public Cloud): OVH takes ${formatDuration(delayMs)} to attach the failover IP (status operationPending meanwhile)\n\n`,
    );
    note('ovh', `${CLOUD_FIP} is ${where()}`);
    expect(`at the start, OVH routes ${CLOUD_FIP} to ${edge1.name}, aliased on its vio0`, cloudHolder(world) === edge1.id && edge1.aliased());

    // 2. The MASTER's carp0 goes down.
    note(edge1.name, 'ifconfig carp0 down (the seed: "go on the master node and put the carp interface down")');
    const downAt = Date.now();
    const first = members[0];
    if (first !== undefined) first.up = false;
    await electNodes(members, onEvent);
    await waitFor(() => cloudHolder(world) === edge2.id && edge2.aliased(), delayMs * 2 + 60_000, `${edge2.name} to hold the failover IP`);
    const failoverMs = Date.now() - downAt;
    note('ovh', `${CLOUD_FIP} is ${where()}`);
    await waitFor(() => claimed(edge2)?.result === 'ok' && !edge1.aliased(), 30_000, `${edge2.name}'s claim record and ${edge1.name}'s alias gone`);
    await edge1.workersDone();
    await edge2.workersDone();
    note('hosts', aliases());
    expect(
      `${edge2.name} aliased ${CLOUD_FIP} on vio0 and OVH attached it ${formatDuration(failoverMs)} after ${edge1.name}'s carp0 went down`,
      cloudHolder(world) === edge2.id && edge2.aliased(),
    );
    const log2 = edge2.logLines().map((line) => String(line.msg));
    const aliasAt = log2.findIndex((msg) => msg.startsWith(`Added ${CLOUD_FIP}/32 as an alias on vio0`));
    const attachAt = log2.findIndex((msg) => msg.startsWith(`Attaching ${CLOUD_FIP}`));
    expect(`${edge2.name} added the alias before asking OVH to attach; ${edge1.name} dropped its own`, aliasAt >= 0 && attachAt > aliasAt && !edge1.aliased());

    // 3. bi-edge-sbg-2 loses the outside world; its check demotes the carp group.
    writeFileSync(routeCut, '');
    note('network', `${edge2.name} can no longer ping the outside (its health script ping-external now fails)`);
    const check = await edge2.cli(['check'], { timeoutMs: 60_000 });
    note(edge2.name, `carp-ovh check: exit ${check.code}, carp demote count now ${edge2.demoteCount()} (ifconfig -g carp carpdemote 16)`);
    expect(`${edge2.name}'s check failed and raised the carp group's demote count by 16`, check.code === 1 && edge2.demoteCount() === 16);

    // 4. bi-edge-sbg-1's carp0 is back: BACKUP first, then it takes over from the demoted master.
    note(edge1.name, 'ifconfig carp0 up');
    if (first !== undefined) first.up = true;
    await electNodes(members, onEvent); // INIT -> BACKUP
    const backAt = Date.now();
    await electNodes(members, onEvent); // the lower demote count wins: bi-edge-sbg-1 MASTER, bi-edge-sbg-2 BACKUP
    await waitFor(
      () => cloudHolder(world) === edge1.id && edge1.aliased() && !edge2.aliased(),
      delayMs * 2 + 60_000,
      `${edge1.name} to take the failover IP back`,
    );
    const backMs = Date.now() - backAt;
    note('ovh', `${CLOUD_FIP} is ${where()}`);
    await edge1.workersDone();
    await edge2.workersDone();
    note('hosts', aliases());
    expect(
      `${edge1.name} took ${CLOUD_FIP} back ${formatDuration(backMs)} after ${edge2.name} was demoted; ${edge2.name} dropped its alias`,
      cloudHolder(world) === edge1.id && edge1.aliased() && !edge2.aliased() && claimed(edge1)?.result === 'ok',
    );
    expect('OVH never answered 409 (no two attaches of one failover IP at once)', world.ovh.conflicts === 0);
  } finally {
    await world.close();
  }
  timeline.printLogs(edges);
}
