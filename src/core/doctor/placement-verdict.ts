import type { Check } from '../ports/index.ts';
import { fail, pass, skip } from './checklist.ts';

/**
 * Where OVH routes a VIP against this router's CARP state, the same verdict for
 * every provider: here as MASTER or elsewhere as BACKUP pass; routed nowhere,
 * elsewhere as MASTER, or here as BACKUP fail. Providers say only where it is.
 */
export interface PlacementFacts {
  address: string;
  /** The failover entry's key (`2@vmx1`, `carp0`, `VI_1`). */
  key: string;
  /** This router's CARP state for it; null when it could not be read. */
  state: string | null;
  /** `here`, `elsewhere` or `nowhere`. */
  held: 'here' | 'elsewhere' | 'nowhere';
  /** How the place reads in the detail (`on 00:50:56:…`, `routed to server ns…`). */
  where: string;
  /** The detail when it is routed nowhere. */
  nowhere: string;
  /** What the peer is called in a pass while BACKUP (`the peer`, `the peer's`). */
  peer: string;
}

export function placementVerdict(facts: PlacementFacts): Check {
  const { address, key, state, held, where } = facts;
  const id = `placement.vip:${address}`;
  const title = `${address} at OVH`;
  if (held === 'nowhere')
    return fail(
      'placement',
      id,
      title,
      facts.nowhere,
      state === 'MASTER' ? 'run carp-ovh reconcile here (this router is MASTER).' : 'run carp-ovh reconcile on the MASTER.',
    );
  if (state === null) return skip('placement', id, title, `${where}; this router's CARP state for ${key} is unknown`);
  if (state === 'MASTER') {
    if (held === 'here') return pass('placement', id, title, `${where}, and ${key} is MASTER here`);
    return fail(
      'placement',
      id,
      title,
      `${where}, but ${key} is MASTER here: traffic goes to the BACKUP`,
      'run carp-ovh reconcile here, and read the last claim below.',
    );
  }
  if (held === 'here')
    return fail(
      'placement',
      id,
      title,
      `${where}, but ${key} is ${state} here: traffic reaches the router that is not MASTER`,
      'run carp-ovh reconcile on the MASTER, and read its last claim.',
    );
  return pass('placement', id, title, `${where} (${facts.peer}), and ${key} is ${state} here`);
}
