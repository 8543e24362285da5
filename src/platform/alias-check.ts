import { describeError } from '../errors.ts';
import type { AliasPort, CarpState, Check } from '../core/ports/index.ts';

/**
 * Doctor's check of an entry with `alias: {interface}`, on any platform: the VIPs
 * must be aliased there exactly while the entry is MASTER. A MASTER without them
 * drops the traffic OVH sends it; a BACKUP with them answers for an address its
 * peer holds.
 */
export async function aliasCheck(
  entry: { addresses: readonly string[]; alias?: { interface: string } },
  key: string,
  state: CarpState | 'absent',
  alias: AliasPort,
): Promise<(Check & { group: 'platform' }) | null> {
  if (entry.alias === undefined) return null;
  const where = entry.alias.interface;
  const base = { id: `alias:${key}`, group: 'platform' as const, title: `alias on ${where}` };
  let present: boolean[];
  try {
    present = await Promise.all(entry.addresses.map((address) => alias.has(where, address)));
  } catch (error) {
    return { ...base, status: 'fail', detail: describeError(error), fix: 'correct alias.interface to the interface the failover IP lives on.' };
  }
  const master = state === 'MASTER';
  const wrong = entry.addresses.filter((_, i) => present[i] !== master);
  if (wrong.length === 0) {
    return {
      ...base,
      status: 'pass',
      detail: master ? `${entry.addresses.join(', ')} aliased on ${where} (MASTER)` : `no alias on ${where} (${state})`,
    };
  }
  return {
    ...base,
    status: 'warn',
    detail: master ? `MASTER but ${wrong.join(', ')} not aliased on ${where}` : `${state} but ${wrong.join(', ')} still aliased on ${where}`,
    fix: 'run carp-ovh reconcile, which sets the aliases from the CARP state.',
  };
}
