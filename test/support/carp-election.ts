/**
 * Just enough of CARP to play a failover on two fake kernels. Among the nodes
 * that are up, the one advertising the best (lowest) priority is MASTER; a MASTER
 * that is still up is only replaced by a node its platform lets preempt it. Like
 * devd or ifstated, every transition to a new state runs that node's hook
 * (detached: the hook returns at once).
 *
 * The rules that differ by platform are the node's:
 * - FreeBSD (`freeBsdNode`): the skew is advskew + net.inet.carp.demotion, clamped
 *   to 240 on the wire; a demoted MASTER is only replaced when the other router has
 *   net.inet.carp.preempt=1.
 * - OpenBSD (`openBsdNode`): the carp group's demote count travels in its own header
 *   byte and is compared first: a BACKUP takes over a master advertising a higher
 *   demote count regardless of preempt; on equal counts the lower advskew wins, and
 *   takes MASTER back only with net.inet.carp.preempt=1.
 */
import type { Edge } from './openbsd-world.ts';
import type { Router } from './world.ts';

export type ElectedState = 'MASTER' | 'BACKUP' | 'INIT';

/** One CARP speaker, as the election sees it. */
export interface CarpNode {
  name: string;
  state(): ElectedState;
  /** What it advertises, compared in order: lower wins. */
  priority(): number[];
  /** Whether this node, up and BACKUP, takes over from `master` (which is still up). */
  preempts(master: CarpNode): boolean;
  setState(state: ElectedState, reason: string): void;
  hook(state: ElectedState): Promise<unknown>;
}

export interface NodeMember {
  node: CarpNode;
  up: boolean;
}

function better(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const diff = (a[i] ?? 0) - (b[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

/** Applies one election round; returns the nodes whose state changed (their hooks were run). */
export async function electNodes(members: NodeMember[], onEvent: (node: CarpNode, from: string, to: string, reason: string) => void): Promise<CarpNode[]> {
  const alive = members.filter((m) => m.up);
  const master = alive.find((m) => m.node.state() === 'MASTER');
  let winner: NodeMember | undefined;
  if (master === undefined) {
    winner = [...alive].sort((a, b) => better(a.node.priority(), b.node.priority()))[0];
  } else {
    // A node coming up joins as BACKUP first; it can only preempt on a later round.
    const challenger = alive.find((m) => m !== master && m.node.state() !== 'INIT' && m.node.preempts(master.node));
    winner = challenger ?? master;
  }
  const changed: CarpNode[] = [];
  // A master that goes away is seen to go before its successor takes over.
  const order = [...members].sort((a, b) => Number(a === winner) - Number(b === winner));
  for (const member of order) {
    const from = member.node.state();
    const to: ElectedState = !member.up ? 'INIT' : member === winner ? 'MASTER' : 'BACKUP';
    if (from === to) continue;
    const reason =
      to === 'INIT'
        ? 'hardware interface down'
        : to === 'MASTER'
          ? master === undefined
            ? 'master timed out'
            : 'preempting a slower master'
          : from === 'INIT'
            ? 'initialization complete'
            : 'more frequent advertisement received';
    member.node.setState(to, reason);
    onEvent(member.node, from, to, reason);
    changed.push(member.node);
  }
  // devd and ifstated: one event at a time, each hook waited for (it returns at once).
  for (const node of changed) await node.hook(node.state());
  return changed;
}

/** A FreeBSD router of test/support/world.ts: vhid 2 on vmx1. */
export function freeBsdNode(router: Router): CarpNode {
  const vhid = () => router.kernel.read().interfaces.vmx1?.carp?.find((c) => c.vhid === 2);
  const skew = (): number => Math.min(240, (vhid()?.advskew ?? 0) + router.demotion());
  const preempt = (): boolean => Number(router.kernel.read().sysctls['net.inet.carp.preempt'] ?? 0) === 1;
  const node: CarpNode = {
    name: router.name,
    state: () => vhid()?.state ?? 'INIT',
    priority: () => [skew()],
    preempts: (master) => better(node.priority(), master.priority()) < 0 && preempt(),
    setState: (state, reason) => router.kernel.setCarpState('vmx1', 2, state, reason),
    hook: (state) => router.hook(state),
  };
  return node;
}

/** An OpenBSD edge instance of test/support/openbsd-world.ts: carp0, the carp group's demote count. */
export function openBsdNode(edge: Edge): CarpNode {
  const carp = () => edge.kernel.read().interfaces.carp0?.carp;
  const preempt = (): boolean => Number(edge.kernel.read().sysctls['net.inet.carp.preempt'] ?? 0) === 1;
  const node: CarpNode = {
    name: edge.name,
    state: () => carp()?.state ?? 'INIT',
    priority: () => [edge.demoteCount(), carp()?.advskew ?? 0],
    preempts(master) {
      const [ours = 0, ourSkew = 0] = node.priority();
      const [theirs = 0, theirSkew = 0] = master.priority();
      if (ours !== theirs) return ours < theirs;
      return ourSkew < theirSkew && preempt();
    },
    setState: (state) => edge.setState(state),
    // ifstated only sees carp0.link.up (MASTER) and .link.down (BACKUP, INIT): the section runs BACKUP for both.
    hook: (state) => edge.hook(state === 'MASTER' ? 'MASTER' : 'BACKUP'),
  };
  return node;
}

/** The FreeBSD form the demo and test/support/pair.ts use. */
export interface Member {
  router: Router;
  up: boolean;
}

/** One election round among FreeBSD routers (see electNodes); returns the routers whose state changed. */
export async function elect(members: Member[], onEvent: (router: Router, from: string, to: string, reason: string) => void): Promise<Router[]> {
  const nodes = members.map((member) => ({ member, node: freeBsdNode(member.router) }));
  const byNode = new Map(nodes.map(({ member, node }) => [node, member.router]));
  // `up` is read through a getter: callers flip member.up between rounds.
  const nodeMembers: NodeMember[] = nodes.map(({ member, node }) => ({
    node,
    get up() {
      return member.up;
    },
  }));
  const changed = await electNodes(nodeMembers, (node, from, to, reason) => {
    const router = byNode.get(node);
    if (router !== undefined) onEvent(router, from, to, reason);
  });
  return changed.flatMap((node) => byNode.get(node) ?? []);
}
