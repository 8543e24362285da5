import { fail, pass, skip } from '../../core/doctor/checklist.ts';
import { placementVerdict } from '../../core/doctor/placement-verdict.ts';
import type { Check, NeededCall, Placement, ProviderDoctorContext, ProviderDoctorEntry } from '../../core/ports/index.ts';

type DoctorRequest = ProviderDoctorContext & { signal: AbortSignal };
import { ovhReadFailure } from './read-failure.ts';
import { neededCalls } from './vmac-preflight.ts';

/**
 * Doctor's checks for `via: virtual-mac` on one dedicated server: the reads a
 * claim starts with (every vMAC and its addresses), then where each VIP is
 * against this router's state, and whether each vMAC that may lose a VIP keeps
 * another address: OVH deletes a vMAC with its last IP, so a detach from a vMAC
 * holding only the VIP would take that router off the network.
 */

/** Every vMAC of the server with the addresses OVH routes to it. */
export type VmacMap = Map<string, string[]>;

export function neededCallsOf(server: string, entries: readonly ProviderDoctorEntry[]): NeededCall[] {
  // Any MAC will do to test a rule's wildcard: the configured one when there is none yet.
  // The claim's own list (its preflight checks the same), with any other vMAC as the one a detach would leave.
  return entries.flatMap(({ entry, mac }) =>
    neededCalls(server, mac ?? entry.mac ?? '02:00:00:00:00:01', [{ mac: '02:00:00:00:00:02', address: entry.addresses[0] ?? '192.0.2.1' }]),
  );
}

/**
 * An address on no vMAC of the server that OVH routes to another server (null
 * otherwise): where it is, and what would stop a claim here from bringing it over.
 */
export interface ElsewhereView {
  placement: Placement;
  /** The server OVH routes it to. */
  from: string;
  /** Why a claim here would refuse to bring it over; empty when nothing would. */
  problems: string[];
}

export type ElsewhereReader = (address: string, signal: AbortSignal) => Promise<ElsewhereView | null>;

export async function virtualMacDoctorChecks(
  server: string,
  request: DoctorRequest,
  readVmacs: (signal: AbortSignal) => Promise<VmacMap>,
  elsewhere: ElsewhereReader = async () => null,
): Promise<Check[]> {
  const readId = `ovh.read:${server}`;
  const readTitle = `vMACs of ${server}`;
  if (request.unavailable !== null) return [skip('ovh', readId, readTitle, request.unavailable), ...placementSkipped(request.entries, request.unavailable)];
  let vmacs: VmacMap;
  try {
    vmacs = await readVmacs(request.signal);
  } catch (error) {
    const why = `the vMACs of ${server} could not be read`;
    const words = {
      rule: 'GET /dedicated/server/*',
      notFound: `OVH knows no dedicated server ${server}`,
      notFoundFix: 'set failover[].server to the service name of the server hosting the routers (ns….ip-….eu).',
    };
    return [ovhReadFailure(readId, readTitle, error, words), ...placementSkipped(request.entries, why)];
  }
  // A VIP on none of them may be on the other server of a pair (routers on two servers).
  const away = new Map<string, ElsewhereView>();
  const unheld = request.entries.flatMap(({ entry }) => entry.addresses).filter((address) => holderOf(vmacs, address) === null);
  await Promise.all(
    unheld.map(async (address) => {
      try {
        const found = await elsewhere(address, request.signal);
        if (found !== null) away.set(address, found);
      } catch {
        // Unknown stays "on no vMAC of this server", which the check below reports.
      }
    }),
  );
  return [pass('ovh', readId, readTitle, `${vmacs.size} vMACs read`), ...placementChecks(server, request, vmacs, away)];
}

function placementSkipped(entries: readonly ProviderDoctorEntry[], why: string): Check[] {
  return entries.flatMap(({ entry, key }) => [
    ...entry.addresses.map((address) => skip('placement', `placement.vip:${address}`, `${address} at OVH`, why)),
    skip('placement', `placement.own-vmac:${key}`, `our vMAC (${key})`, why),
  ]);
}

function placementChecks(server: string, request: DoctorRequest, vmacs: VmacMap, away: ReadonlyMap<string, ElsewhereView>): Check[] {
  const checks: Check[] = [];
  const peersSeen = new Set<string>();
  for (const { entry, key, state, mac } of request.entries) {
    // An entry absent here has no state worth comparing.
    const known = state === 'absent' ? null : state;
    for (const address of entry.addresses) {
      const elsewhere = away.get(address);
      if (elsewhere === undefined) checks.push(vipCheck(key, address, vmacs, known, mac));
      else checks.push(awayCheck(key, address, elsewhere.placement, known), crossServerCheck(address, server, elsewhere.from, elsewhere.problems));
    }
    checks.push(ownVmacCheck(key, mac, vmacs, request.allAddresses, server));
    for (const address of entry.addresses) {
      const holder = holderOf(vmacs, address);
      if (holder === null || holder === mac || peersSeen.has(holder)) continue;
      peersSeen.add(holder);
      checks.push(peerVmacCheck(holder, vmacs.get(holder) ?? [], request.allAddresses));
    }
  }
  return checks;
}

export function holderOf(vmacs: VmacMap, address: string): string | null {
  for (const [mac, list] of vmacs) if (list.includes(address)) return mac;
  return null;
}

function vipCheck(key: string, address: string, vmacs: VmacMap, state: string | null, ours: string | null): Check {
  const holder = holderOf(vmacs, address);
  const where = holder === null ? 'on no vMAC' : holder === ours ? `on this router (${holder})` : `on ${holder}`;
  if (state === null || ours === null)
    return skip('placement', `placement.vip:${address}`, `${address} at OVH`, `${where}; this router's CARP state or MAC for ${key} is unknown`);
  return placementVerdict({
    address,
    key,
    state,
    held: holder === null ? 'nowhere' : holder === ours ? 'here' : 'elsewhere',
    where,
    nowhere: `${address} is on no vMAC: OVH routes it nowhere`,
    peer: 'the peer',
  });
}

/** A VIP OVH routes to another server (a pair on two servers): right only while this router is not MASTER. */
function awayCheck(key: string, address: string, placement: Placement, state: string | null): Check {
  const id = `placement.vip:${address}`;
  const title = `${address} at OVH`;
  const where = `on ${placement.where ?? placement.holder ?? 'another server'}`;
  if (state === null) return skip('placement', id, title, `${where}; this router's CARP state for ${key} is unknown`);
  if (state === 'MASTER')
    return fail(
      'placement',
      id,
      title,
      `${where}, but ${key} is MASTER here: traffic goes to the other server`,
      'run carp-ovh reconcile here, and read the last claim below.',
    );
  return pass('placement', id, title, `${where} (the peer), and ${key} is ${state} here`);
}

/** Whether a claim here could bring the VIP over from the other server (the claim's own preflight, read-only). */
function crossServerCheck(address: string, server: string, from: string, problems: string[]): Check {
  const id = `ovh.cross-server:${address}`;
  const title = `${address} from ${from}`;
  if (problems.length === 0)
    return pass(
      'ovh',
      id,
      title,
      `nothing a claim here checks first stands in the way of taking ${address} off ${from} and moving it to ${server}: OVH offers ${server}, the vMAC there (if any) keeps another IP, and the key's rules allow the DELETE there, GET /ip/* and POST /ip/*/move`,
    );
  return fail(
    'ovh',
    id,
    title,
    `a claim here would refuse to bring ${address} from ${from}: ${problems.join('; ')}`,
    'fix each problem named (docs/operations.md, "Router VMs on two servers"), then run carp-ovh doctor again.',
  );
}

function ownVmacCheck(key: string, ours: string | null, vmacs: VmacMap, vips: ReadonlySet<string>, server: string): Check {
  const id = `placement.own-vmac:${key}`;
  const title = `our vMAC (${key})`;
  if (ours === null) return skip('placement', id, title, "this router's MAC is unknown");
  const list = vmacs.get(ours);
  if (list === undefined) {
    // The claim refuses the same condition before any change (src/providers/ovh/vmac-preflight.ts), with the same fix.
    return fail(
      'placement',
      id,
      title,
      `${ours} is not a virtual MAC of ${server} at OVH: a claim here would refuse to move anything (OVH routes a failover IP only to a vMAC it generated)`,
      `the router's NIC must use the virtual MAC OVH generated for it: in the OVH manager, give one of this router's own IPs a virtual MAC on ${server} (IP section, "Add a virtual MAC"), set the router's network adapter to that MAC (or failover[].mac to it), then run carp-ovh doctor`,
    );
  }
  const others = list.filter((address) => !vips.has(address));
  if (others.length === 0) {
    return fail(
      'placement',
      id,
      title,
      `${ours} holds only ${list.join(', ') || 'nothing'}: OVH deletes a vMAC with its last IP, so a detach from it would cut this router off`,
      `attach this router's own IP to ${ours} at OVH.`,
    );
  }
  return pass('placement', id, title, `${ours} also holds ${others.join(', ')}`);
}

function peerVmacCheck(mac: string, list: string[], vips: ReadonlySet<string>): Check {
  const id = `placement.peer-vmac:${mac}`;
  const title = `peer vMAC ${mac}`;
  const others = list.filter((address) => !vips.has(address));
  if (others.length === 0) {
    return fail(
      'placement',
      id,
      title,
      `${mac} holds only ${list.join(', ')}: carp-ovh refuses to detach the VIP from it, since OVH would delete the vMAC`,
      `attach the peer router's own IP to ${mac} at OVH.`,
    );
  }
  return pass('placement', id, title, `${mac} also holds ${others.join(', ')}`);
}
