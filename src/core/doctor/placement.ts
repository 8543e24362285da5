import type { Config, FailoverEntry } from '../../config/types.ts';
import { describeError } from '../../errors.ts';
import { ourMac } from '../our-mac.ts';
import type { CarpState, Platform } from '../ports/index.ts';
import { fail, pass, skip } from './checklist.ts';
import type { VmacMap } from './ovh.ts';
import type { Check } from './types.ts';

/** One entry as the platform showed it to doctor: its key, state and our MAC, or why it could not be read. */
export interface EntryReading {
  key: string;
  state: CarpState | 'absent' | null;
  mac: string | null;
  error?: string;
}

export async function readEntries(platform: Platform, entries: readonly FailoverEntry[]): Promise<Map<FailoverEntry, EntryReading>> {
  const readings = await Promise.all(
    entries.map(async (entry): Promise<[FailoverEntry, EntryReading]> => {
      const key = platform.entryKey(entry);
      try {
        const view = await platform.readEntry(entry);
        return [entry, { key, state: view.state, mac: ourMac(entry, view) }];
      } catch (error) {
        return [entry, { key, state: null, mac: null, error: describeError(error) }];
      }
    }),
  );
  return new Map(readings);
}

/**
 * Where each VIP is at OVH against who is CARP MASTER, and whether each vMAC that
 * may lose a VIP keeps another address: OVH deletes a vMAC with its last IP, so a
 * detach from a vMAC holding only the VIP would take that router off the network.
 */
export function placementChecks(
  config: Config,
  entries: Map<FailoverEntry, EntryReading>,
  servers: Map<string, VmacMap | null>,
  unavailable: string | null,
): Check[] {
  const checks: Check[] = [];
  const allVips = new Set(config.failover.flatMap((entry) => entry.addresses));
  const peersSeen = new Set<string>();
  for (const entry of config.failover) {
    const reading = entries.get(entry);
    const key = reading?.key ?? entry.interface;
    const vmacs = entry.server === undefined ? null : (servers.get(entry.server) ?? null);
    // An entry that is absent here has no state worth comparing (as before: unknown).
    const state = reading?.state === 'absent' ? null : (reading?.state ?? null);
    const ours = reading === undefined || reading.error !== undefined ? entry.mac : reading.mac;
    if (vmacs === null) {
      const why = unavailable ?? 'the vMACs could not be read';
      for (const address of entry.addresses) checks.push(skip('placement', `placement.vip:${address}`, `${address} at OVH`, why));
      checks.push(skip('placement', `placement.own-vmac:${key}`, `our vMAC (${key})`, why));
      continue;
    }
    for (const address of entry.addresses) checks.push(vipCheck(key, address, vmacs, state, ours));
    checks.push(ownVmacCheck(key, ours, vmacs, allVips, entry.server ?? '?'));
    for (const address of entry.addresses) {
      const holder = holderOf(vmacs, address);
      if (holder === null || holder === ours || peersSeen.has(holder)) continue;
      peersSeen.add(holder);
      checks.push(peerVmacCheck(holder, vmacs.get(holder) ?? [], allVips));
    }
  }
  return checks;
}

function holderOf(vmacs: VmacMap, address: string): string | null {
  for (const [mac, list] of vmacs) if (list.includes(address)) return mac;
  return null;
}

function vipCheck(key: string, address: string, vmacs: VmacMap, state: string | null, ours: string | null): Check {
  const id = `placement.vip:${address}`;
  const title = `${address} at OVH`;
  const holder = holderOf(vmacs, address);
  const where = holder === null ? 'on no vMAC' : holder === ours ? `on this router (${holder})` : `on ${holder}`;
  if (state === null || ours === null) {
    return skip('placement', id, title, `${where}; this router's CARP state or MAC for ${key} is unknown`);
  }
  if (holder === null) {
    return fail(
      'placement',
      id,
      title,
      `${address} is on no vMAC: OVH routes it nowhere`,
      state === 'MASTER' ? 'run carp-ovh reconcile here (this router is MASTER).' : 'run carp-ovh reconcile on the MASTER.',
    );
  }
  if (state === 'MASTER') {
    if (holder === ours) return pass('placement', id, title, `${where}, and ${key} is MASTER here`);
    return fail(
      'placement',
      id,
      title,
      `${where}, but ${key} is MASTER here: traffic goes to the BACKUP`,
      'run carp-ovh reconcile here, and read the last claim below.',
    );
  }
  if (holder === ours) {
    return fail(
      'placement',
      id,
      title,
      `${where}, but ${key} is ${state} here: traffic reaches the router that is not MASTER`,
      'run carp-ovh reconcile on the MASTER, and read its last claim.',
    );
  }
  return pass('placement', id, title, `${where} (the peer), and ${key} is ${state} here`);
}

function ownVmacCheck(key: string, ours: string | null, vmacs: VmacMap, vips: Set<string>, server: string): Check {
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
      `the router's NIC must use the virtual MAC OVH generated for it: in the OVH manager, give one of this router's own IPs a virtual ` +
        `MAC on ${server} (IP section, "Add a virtual MAC"), set the router's network adapter to that MAC (or failover[].mac to it), then ` +
        `run carp-ovh doctor`,
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

function peerVmacCheck(mac: string, list: string[], vips: Set<string>): Check {
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
