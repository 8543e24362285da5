/**
 * CARP between two fake kernels, for tests of a router pair: what the kernels
 * and devd would do when one router's demotion rises above the other's (both run
 * with net.inet.carp.preempt=1). The new MASTER's kernel says MASTER, the other's
 * BACKUP, and devd runs each router's own hook for its new state.
 */
import type { CliResult } from './cli.ts';
import type { Router } from './world.ts';

export interface CarpPair {
  /** Hook runs started so far (devd waits for each; the claim itself runs detached). */
  readonly hooks: Array<{ router: string; type: string; result: Promise<CliResult> }>;
  /** Which router is MASTER now. */
  master(): Router;
  stop(): Promise<void>;
}

function stateOf(router: Router): string | undefined {
  return router.kernel.read().interfaces.vmx1?.carp?.find((c) => c.vhid === 2)?.state;
}

/**
 * Watches both demotions every `pollMs`; a BACKUP with a lower demotion preempts.
 * `a` has the lower advskew: on equal demotions it wins, as preempt makes it do.
 */
export function simulateCarp(a: Router, b: Router, pollMs = 20): CarpPair {
  const hooks: CarpPair['hooks'] = [];
  let master = stateOf(a) === 'MASTER' ? a : b;
  let stopped = false;
  const tick = (): void => {
    if (stopped) return;
    const backup = master === a ? b : a;
    const [mine, theirs] = [master.demotion(), backup.demotion()];
    if (theirs < mine || (theirs === mine && backup === a)) {
      master.setState('BACKUP');
      backup.setState('MASTER');
      hooks.push({ router: master.name, type: 'BACKUP', result: master.hook('BACKUP') });
      hooks.push({ router: backup.name, type: 'MASTER', result: backup.hook('MASTER') });
      master = backup;
    }
    timer = setTimeout(tick, pollMs);
  };
  let timer = setTimeout(tick, pollMs);
  return {
    hooks,
    master: () => master,
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await Promise.all(hooks.map((h) => h.result));
    },
  };
}
