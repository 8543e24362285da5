/**
 * CARP between two fake kernels, continuously: every `pollMs` an election round
 * (test/support/carp-election.ts) runs, so when one router's demotion rises above
 * the other's the other preempts, and devd runs each router's own hook.
 */
import { elect, type Member } from './carp-election.ts';
import type { Router } from './world.ts';

export interface CarpPair {
  /** Which router is MASTER now. */
  master(): Router;
  stop(): Promise<void>;
}

/** `a` is the preferred router: `b` advertises advskew 100, so on equal demotions `a` preempts. */
export function simulateCarp(a: Router, b: Router, pollMs = 20): CarpPair {
  b.kernel.update((state) => {
    const vhid = state.interfaces.vmx1?.carp?.find((c) => c.vhid === 2);
    if (vhid !== undefined) vhid.advskew = 100;
  });
  const members: Member[] = [
    { router: a, up: true },
    { router: b, up: true },
  ];
  let stopped = false;
  let round: Promise<unknown> = Promise.resolve();
  const tick = (): void => {
    if (stopped) return;
    round = elect(members, () => undefined).finally(() => {
      timer = setTimeout(tick, pollMs);
    });
  };
  let timer = setTimeout(tick, pollMs);
  const stateOf = (router: Router): string | undefined => router.kernel.read().interfaces.vmx1?.carp?.find((c) => c.vhid === 2)?.state;
  return {
    master: () => (stateOf(a) === 'MASTER' ? a : b),
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await round;
    },
  };
}
