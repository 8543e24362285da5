import type { ClaimContext, ClaimRequest, PlannedCall } from '../../core/ports/index.ts';
import { CarpOvhError, isCarpOvhError } from '../../errors.ts';
import type { OvhApi } from './api.ts';
import { ipPath } from './ip-api.ts';
import { asStringList } from './task.ts';

/**
 * The virtual-MAC claim as a plan: the reads are real (the server's vMACs and
 * the addresses on each, the old holder's virtualMachineName, and for an address
 * on none of them where OVH routes it), the mutations are only described, in the
 * order the claim sends them. The claim's own refusals (the only IP of a vMAC,
 * which OVH would delete with it; a move OVH would not allow) fail the plan, as
 * its preflight (run before this by the provider) does.
 */

/** An address OVH routes to another server, as the claim plans it: which server, and the vMAC there that lists it (if any). */
export interface AwayPlan {
  other: string;
  holder: { server: string; mac: string } | null;
}

export interface PlanOptions {
  server: string;
  api: OvhApi;
  hostname: string;
  /**
   * The claim's own cross-server planning for the addresses on no vMAC of the
   * server: those OVH routes to another server, with everything the move needs
   * proven (it throws the claim's refusal otherwise).
   */
  crossServer(addresses: string[]): Promise<ReadonlyMap<string, AwayPlan>>;
}

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

export async function planVirtualMac(options: PlanOptions, request: ClaimRequest, ctx: ClaimContext): Promise<PlannedCall[]> {
  const { api, server } = options;
  const base = `/dedicated/server/${server}`;
  const mac = request.mac.toLowerCase();
  const signal = ctx.signal;
  const macs = asStringList(await api.get(`${base}/virtualMac`, signal), 'GET virtualMac').map((m) => m.toLowerCase());
  for (const m of macs) {
    if (!MAC.test(m))
      throw new CarpOvhError(`OVH listed a vMAC that is not a MAC address: ${JSON.stringify(m.slice(0, 40))}`, { source: 'ovh', badInput: true });
  }
  const lists = new Map<string, string[]>();
  await Promise.all(
    macs.map(async (m) => {
      try {
        lists.set(m, asStringList(await api.get(`${base}/virtualMac/${m}/virtualAddress`, signal), `GET virtualMac/${m}/virtualAddress`));
      } catch (error) {
        if (!(isCarpOvhError(error) && error.status === 404)) throw error;
      }
    }),
  );
  const holderOf = (address: string): string | null => [...lists.entries()].find(([, addresses]) => addresses.includes(address))?.[0] ?? null;
  const unheld = request.addresses.filter((address) => holderOf(address) === null);
  const away = unheld.length === 0 ? new Map<string, AwayPlan>() : await options.crossServer(unheld);

  const calls: PlannedCall[] = [];
  for (const address of request.addresses) {
    if (lists.get(mac)?.includes(address) === true) continue;
    const holder = holderOf(address);
    let vmName = request.vmName;
    if (holder !== null) {
      const others = (lists.get(holder) ?? []).filter((ip) => !request.addresses.includes(ip));
      if (others.length === 0) {
        throw new CarpOvhError(
          `refusing to detach ${address} from ${holder}: it is the only IP on that vMAC, and OVH deletes a vMAC with its last IP; add another IP of that router to it (see carp-ovh doctor)`,
          { source: 'claim' },
        );
      }
      vmName ??= await holderVmName(api, `${base}/virtualMac/${holder}/virtualAddress/${address}`, signal);
      calls.push({ address, from: holder, to: mac, method: 'DELETE', path: `${base}/virtualMac/${holder}/virtualAddress/${address}` });
    }
    const elsewhere = away.get(address);
    if (elsewhere !== undefined) {
      // Off the vMAC there first, then routed to this server, then attached here: the claim's order.
      const { other, holder: there } = elsewhere;
      if (there !== null)
        calls.push({
          address,
          from: there.mac,
          to: mac,
          method: 'DELETE',
          path: `/dedicated/server/${there.server}/virtualMac/${there.mac}/virtualAddress/${address}`,
        });
      calls.push({ address, from: other, to: server, method: 'POST', path: `${ipPath(address)}/move`, body: { to: server } });
    }
    // The provider's preflight ran first: our MAC is a vMAC of the server (OVH generates them; none is created here).
    calls.push({
      address,
      from: holder ?? elsewhere?.holder?.mac ?? elsewhere?.other ?? null,
      to: mac,
      method: 'POST',
      path: `${base}/virtualMac/${mac}/virtualAddress`,
      body: { ipAddress: address, virtualMachineName: vmName ?? options.hostname },
    });
  }
  return calls;
}

async function holderVmName(api: OvhApi, path: string, signal: AbortSignal): Promise<string | null> {
  try {
    const detail = (await api.get(path, signal)) as { virtualMachineName?: unknown } | null;
    return typeof detail?.virtualMachineName === 'string' && detail.virtualMachineName !== '' ? detail.virtualMachineName : null;
  } catch (error) {
    if (signal.aborted) throw error;
    return null;
  }
}
