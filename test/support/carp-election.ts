/**
 * Just enough of CARP to play a failover on two fake kernels: among the routers
 * that are up, the one advertising the lowest skew (advskew + demotion, clamped
 * to 240 on the wire) is MASTER; a demoted MASTER is only replaced when the
 * other router has net.inet.carp.preempt=1. Like devd, every transition to a
 * new state runs that router's hook (detached, as devd does).
 */
import type { Router } from './world.ts';

export interface Member {
  router: Router;
  up: boolean;
}

function skew(router: Router): number {
  const state = router.kernel.read();
  const advskew = state.interfaces.vmx1?.carp?.find((c) => c.vhid === 2)?.advskew ?? 0;
  return Math.min(240, advskew + router.demotion());
}

function preempt(router: Router): boolean {
  return Number(router.kernel.read().sysctls['net.inet.carp.preempt'] ?? 0) === 1;
}

function stateOf(router: Router): string {
  return router.kernel.read().interfaces.vmx1?.carp?.find((c) => c.vhid === 2)?.state ?? 'INIT';
}

/** Applies one election round; returns the routers whose state changed (their hooks were run). */
export async function elect(members: Member[], onEvent: (router: Router, from: string, to: string, reason: string) => void): Promise<Router[]> {
  const alive = members.filter((m) => m.up);
  const master = alive.find((m) => stateOf(m.router) === 'MASTER');
  let winner: Member | undefined;
  if (master === undefined) {
    winner = [...alive].sort((a, b) => skew(a.router) - skew(b.router))[0];
  } else {
    // A router coming up joins as BACKUP first; it can only preempt on a later round.
    const better = alive.find((m) => m !== master && stateOf(m.router) !== 'INIT' && skew(m.router) < skew(master.router) && preempt(m.router));
    winner = better ?? master;
  }
  const changed: Router[] = [];
  // A master that goes away is seen to go before its successor takes over.
  const order = [...members].sort((a, b) => Number(a === winner) - Number(b === winner));
  for (const member of order) {
    const from = stateOf(member.router);
    const to = !member.up ? 'INIT' : member === winner ? 'MASTER' : 'BACKUP';
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
    member.router.kernel.setCarpState('vmx1', 2, to as 'MASTER' | 'BACKUP' | 'INIT', reason);
    onEvent(member.router, from, to, reason);
    changed.push(member.router);
  }
  // devd: one event at a time, each hook waited for (it returns at once).
  for (const router of changed) {
    const state = stateOf(router);
    await router.hook(state);
  }
  return changed;
}
