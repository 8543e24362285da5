/**
 * The FreeBSD story (the default), the seed's failover: two simulated routers
 * (fake FreeBSD kernels, their own configs and state dirs), the OVH and Vault
 * stand-ins, and each router's hook run as a real subprocess, as devd runs it.
 *
 *   1. router-003 is MASTER and holds the VIP at OVH.
 *   2. router-003 dies; router-002 becomes MASTER; its hook moves the VIP.
 *   3. Vault becomes unreachable from router-002; its `check` demotes it.
 *   4. router-003 is back and preempts; its hook takes the VIP back.
 */
import { formatDuration } from '../src/duration.ts';
import { elect, type Member } from '../test/support/carp-election.ts';
import { startLink } from '../test/support/link.ts';
import { seedState } from '../test/support/ovh-sim/state.ts';
import { holdersOf, SEED_MAC_ROUTER_002, SEED_MAC_ROUTER_003, SEED_VIP, startWorld, waitFor, type Router } from '../test/support/world.ts';
import type { Timeline } from './timeline.ts';

export async function freeBsdStory(timeline: Timeline, delayMs: number): Promise<void> {
  const world = await startWorld({ label: 'demo', ovh: { delays: { delete: delayMs, add: delayMs } } });
  const vaultLink = await startLink(world.vault.port);
  const tuning = `  timeout: 10s\n  poll_interval: ${Math.max(50, Math.min(1000, Math.round(delayMs / 20)))}ms\n  deadline: ${Math.round((delayMs * 2) / 1000) + 30}s`;
  const { note, expect } = { note: timeline.note.bind(timeline), expect: timeline.expect.bind(timeline) };
  const routers: Router[] = [];
  try {
    world.ovh.setState(seedState());
    const r002 = world.router({
      name: 'router-002',
      mac: SEED_MAC_ROUTER_002,
      ownAddress: '178.32.70.110',
      state: 'BACKUP',
      ovhExtra: tuning,
      vaultUrl: vaultLink.url('https'),
    });
    const r003 = world.router({ name: 'router-003', mac: SEED_MAC_ROUTER_003, ownAddress: '178.32.70.111', state: 'MASTER', ovhExtra: tuning });
    routers.push(r002, r003);
    const members: Member[] = [
      { router: r002, up: true },
      { router: r003, up: true },
    ];
    const onEvent = (router: Router, from: string, to: string, reason: string): void => note(router.name, `kernel: carp: 2@vmx1: ${from} -> ${to} (${reason})`);
    const where = (): string => {
      const holders = holdersOf(world);
      if (holders.length === 0) return 'nowhere (detached)';
      return holders.map((mac) => (mac === SEED_MAC_ROUTER_002 ? `router-002 (${mac})` : mac === SEED_MAC_ROUTER_003 ? `router-003 (${mac})` : mac)).join(', ');
    };

    process.stdout.write(`carp-ovh demo: OVH applies each DELETE/POST after ${formatDuration(delayMs)} (the seed saw ~30s)\n\n`);
    note('ovh', `${SEED_VIP} is on ${where()}`);
    expect('at the start, OVH routes the VIP to router-003', holdersOf(world)[0] === SEED_MAC_ROUTER_003);

    // 2. router-003 dies.
    const deathAt = Date.now();
    const firstR003 = members[1];
    if (firstR003 !== undefined) firstR003.up = false;
    await elect(members, onEvent);
    note('router-002', 'devd ran: carp-ovh hook 2@vmx1 MASTER (returned at once; the claim runs detached)');
    await waitFor(() => holdersOf(world)[0] === SEED_MAC_ROUTER_002, delayMs * 2 + 30_000, 'router-002 to hold the VIP');
    const failoverMs = Date.now() - deathAt;
    note('ovh', `${SEED_VIP} is on ${where()}`);
    await waitFor(() => (r002.lastClaim() as { result?: string } | null)?.result === 'ok', 10_000, "router-002's claim record");
    expect(`router-002 claimed the VIP ${formatDuration(failoverMs)} after router-003 died`, holdersOf(world)[0] === SEED_MAC_ROUTER_002);

    // 3. Vault unreachable from router-002; the timer's check notices.
    vaultLink.cut();
    note('network', 'Vault is now unreachable from router-002 (black-holed)');
    const cutAt = Date.now();
    const check = await r002.cli(['check'], { timeoutMs: 60_000 });
    const demotedMs = Date.now() - cutAt;
    note('router-002', `carp-ovh check: exit ${check.code}, demotion now ${r002.demotion()}`);
    expect(`router-002's check failed and demoted it by 1048576 (${formatDuration(demotedMs)})`, check.code === 1 && r002.demotion() === 1_048_576);

    // 4. router-003 comes back; it preempts the demoted master.
    const r003Member = members[1];
    if (r003Member !== undefined) r003Member.up = true;
    await elect(members, onEvent); // router-003: INIT -> BACKUP
    const backAt = Date.now();
    await elect(members, onEvent); // preemption: router-003 MASTER, router-002 BACKUP
    note('router-003', 'devd ran: carp-ovh hook 2@vmx1 MASTER');
    await waitFor(() => holdersOf(world)[0] === SEED_MAC_ROUTER_003, delayMs * 2 + 30_000, 'router-003 to take the VIP back');
    const backMs = Date.now() - backAt;
    note('ovh', `${SEED_VIP} is on ${where()}`);
    await waitFor(() => (r003.lastClaim() as { result?: string } | null)?.result === 'ok', 10_000, "router-003's claim record");
    expect(`router-003 took the VIP back ${formatDuration(backMs)} after preempting`, holdersOf(world)[0] === SEED_MAC_ROUTER_003);
    expect('OVH never answered 409 (no two mutations on one IP at once)', world.ovh.conflicts === 0);
  } finally {
    await vaultLink.close();
    await world.close();
  }
  timeline.printLogs(routers);
}
