import { fail, pass, skip, warn } from '../../core/doctor/checklist.ts';
import { placementVerdict } from '../../core/doctor/placement-verdict.ts';
import type { Check, NeededCall, ProviderDoctorContext, ProviderDoctorEntry } from '../../core/ports/index.ts';
import { type Destination, type IpApi, ipRulePath } from '../ovh/ip-api.ts';
import { ovhReadFailure } from '../ovh/read-failure.ts';

/**
 * Doctor's checks for `via: ip-move` on one dedicated server: the reads a claim
 * starts with (where OVH routes each IP, where it may move it, the move tasks
 * pending on it), then where each VIP is against this router's CARP state, and
 * whether OVH offers the server that would take the VIP next as a destination.
 */

/** The calls a claim makes for one IP, and the least-privilege rule that grants each. */
export function neededCalls(address: string): NeededCall[] {
  return [
    { method: 'GET', path: ipRulePath(address), rule: 'GET /ip/*' },
    { method: 'GET', path: ipRulePath(address, '/move'), rule: 'GET /ip/*' },
    { method: 'GET', path: ipRulePath(address, '/task'), rule: 'GET /ip/*' },
    { method: 'GET', path: ipRulePath(address, '/task/1'), rule: 'GET /ip/*' },
    { method: 'POST', path: ipRulePath(address, '/move'), rule: 'POST /ip/*/move' },
  ];
}

/** What doctor learnt of one IP at OVH. */
interface IpFacts {
  holder: string | null;
  pending: number[];
  offered: Destination[];
}

export async function ipMoveDoctorChecks(ip: IpApi, server: string, context: ProviderDoctorContext, signal: AbortSignal): Promise<Check[]> {
  const readId = `ovh.read:ip-move:${server}`;
  const readTitle = `failover IPs for ${server}`;
  const addresses = context.entries.flatMap(({ entry }) => entry.addresses);
  if (context.unavailable !== null) return [skip('ovh', readId, readTitle, context.unavailable), ...placementSkipped(context.entries, context.unavailable)];
  const facts = new Map<string, IpFacts>();
  try {
    await Promise.all(
      addresses.map(async (address) => {
        const [holder, pending, offered] = await Promise.all([
          ip.routedTo(address, signal),
          ip.pendingMoves(address, signal),
          ip.destinations(address, signal),
        ]);
        facts.set(address, { holder, pending, offered });
      }),
    );
  } catch (error) {
    const words = {
      rule: 'GET /ip/*',
      notFound: 'OVH does not know one of the failover IPs',
      notFoundFix: 'check failover[].addresses: each must be a failover IP of this OVH account.',
    };
    return [ovhReadFailure(readId, readTitle, error, words), ...placementSkipped(context.entries, `the failover IPs could not be read at OVH`)];
  }
  const checks: Check[] = [
    pass(
      'ovh',
      readId,
      readTitle,
      `read where OVH routes ${addresses.join(', ')}, where it may move ${addresses.length === 1 ? 'it' : 'them'} and the move tasks pending (GET /ip/*)`,
    ),
  ];
  for (const { entry, key, state } of context.entries) {
    for (const address of entry.addresses) {
      const found = facts.get(address);
      if (found === undefined) continue;
      checks.push(destinationCheck(address, found, server));
      checks.push(placementCheck(address, found.holder, server, key, state === 'absent' ? null : state));
      if (found.pending.length > 0)
        checks.push(
          warn(
            'placement',
            `placement.pending:${address}`,
            `move of ${address}`,
            `a move of ${address} is in progress at OVH (task ${found.pending.join(', ')})`,
            'wait for it; carp-ovh status shows where the VIP ends.',
          ),
        );
    }
  }
  return checks;
}

function placementSkipped(entries: readonly ProviderDoctorEntry[], why: string): Check[] {
  return entries.flatMap(({ entry }) => entry.addresses.map((address) => skip('placement', `placement.vip:${address}`, `${address} at OVH`, why)));
}

/** Where the VIP is routed against this router's state (the shared verdict). */
function placementCheck(address: string, holder: string | null, server: string, key: string, state: string | null): Check {
  const where = holder === null ? 'routed to no server' : holder === server ? `routed to this router's server (${server})` : `routed to server ${holder}`;
  return placementVerdict({
    address,
    key,
    state,
    held: holder === null ? 'nowhere' : holder === server ? 'here' : 'elsewhere',
    where,
    nowhere: `${address} is ${where}: OVH sends its traffic nowhere`,
    peer: "the peer's",
  });
}

/**
 * Whether the server that takes the VIP next is one OVH offers (`GET /ip/{ip}/move`
 * lists where the IP may go from where it is): this router's server while the VIP
 * is elsewhere; while it is here, the peer's, which OVH shows only among the others.
 */
function destinationCheck(address: string, found: IpFacts, server: string): Check {
  const id = `ovh.destination:${address}`;
  const title = `destinations of ${address}`;
  const offered = found.offered.map((d) => d.service);
  const list = offered.join(', ') || 'none';
  if (found.holder === server) {
    if (offered.length === 0)
      return warn(
        'ovh',
        id,
        title,
        `${address} is routed here and OVH offers no server to move it to (GET /ip/{ip}/move): the peer could not take it over`,
        "check that the peer's server is in the same OVH account and location as this one, and run carp-ovh doctor on the peer.",
      );
    return pass('ovh', id, title, `the peer's server must be one OVH offers to take ${address} over (GET /ip/{ip}/move): ${list}`);
  }
  if (!offered.includes(server))
    return fail(
      'ovh',
      id,
      title,
      `OVH does not offer this router's server ${server} as a destination for ${address} (GET /ip/{ip}/move offers: ${list}): a claim here would refuse to start`,
      "set failover[].server to this router's server as OVH names it, or move the IP to an account and location where it may go.",
    );
  return pass('ovh', id, title, `this router's server ${server} is a destination OVH offers for ${address} (GET /ip/{ip}/move offers: ${list})`);
}
