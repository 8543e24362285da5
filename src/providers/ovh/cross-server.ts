import { formatDuration } from '../../duration.ts';
import { CarpOvhError, isCarpOvhError } from '../../errors.ts';
import { sleep } from '../../sleep.ts';
import type { ClaimContext, ClaimStep } from '../../core/ports/index.ts';
import type { OvhApi } from './api.ts';
import { grants, type IpApi, ipRulePath } from './ip-api.ts';
import type { IpMover } from './ip-mover.ts';
import { asStringList } from './task.ts';

/**
 * A virtual-MAC claim for an IP that OVH routes to another dedicated server:
 * take it off the vMAC there (if one holds it), move it to our server, and
 * leave the attach to our vMAC to the caller. One claim, one deadline.
 *
 * Order: detach first, then move. What OVH does with a vMAC that still lists an
 * IP being moved away is undocumented (it may refuse the move, drop the IP from
 * that vMAC, or leave it listed there, which would then block the attach here);
 * emptying the vMAC first is right under all three.
 */

export interface CrossServerDeps {
  api: OvhApi;
  ip: IpApi;
  mover: IpMover;
  pollIntervalMs: number;
}

export interface ForeignHolder {
  server: string;
  mac: string;
  addresses: string[];
}

const WAIT_GUARD_MAX_AGE_MS = 250;

/** The server OVH routes `address` to, when that is neither `server` nor nowhere. */
export async function foreignServer(ip: IpApi, address: string, server: string, signal: AbortSignal): Promise<string | null> {
  const routed = await ip.routedTo(address, signal);
  return routed === null || routed === server ? null : routed;
}

/** The vMAC of `other` that lists `address`, if any (reads every vMAC of that server). */
export async function foreignHolder(api: OvhApi, other: string, address: string, signal: AbortSignal): Promise<ForeignHolder | null> {
  const base = `/dedicated/server/${other}/virtualMac`;
  const macs = asStringList(await api.get(base, signal), `GET ${base}`).map((mac) => mac.toLowerCase());
  for (const mac of macs) {
    let addresses: string[];
    try {
      addresses = asStringList(await api.get(`${base}/${mac}/virtualAddress`, signal), `GET ${base}/${mac}/virtualAddress`);
    } catch (error) {
      // Gone between the two reads: OVH deletes a vMAC with its last IP.
      if (isCarpOvhError(error) && error.status === 404) continue;
      throw error;
    }
    if (addresses.includes(address)) return { server: other, mac, addresses };
  }
  return null;
}

/**
 * What must hold before anything is sent: OVH offers `server` as a destination,
 * the other server's holding vMAC keeps another IP (OVH deletes a vMAC with its
 * last one), and the key may make the calls. Returns the problems, empty when none.
 */
export async function crossServerProblems(
  deps: Pick<CrossServerDeps, 'ip'>,
  address: string,
  server: string,
  holder: ForeignHolder | null,
  claimed: string[],
  signal: AbortSignal,
): Promise<string[]> {
  const problems: string[] = [];
  const [offered, rules] = await Promise.all([
    deps.ip.destinations(address, signal).catch((error: unknown): null => {
      if (isCarpOvhError(error) && error.errorCode === 'NOT_GRANTED_CALL') return null;
      throw error;
    }),
    deps.ip.accessRules(signal),
  ]);
  if (offered === null) {
    problems.push('the consumer key may not call GET /ip/*/move');
  } else if (!offered.some((d) => d.service === server)) {
    problems.push(`${server} is not a destination OVH offers for ${address} (it offers: ${offered.map((d) => d.service).join(', ') || 'none'})`);
  }
  if (holder !== null && holder.addresses.every((ip) => claimed.includes(ip))) {
    problems.push(
      `${address} is the only IP on ${holder.mac} of ${holder.server}, and OVH deletes a vMAC with its last IP: add another IP of that router to it`,
    );
  }
  if (rules !== null) {
    const needs = [
      { method: 'GET', path: ipRulePath(address), rule: 'GET /ip/*' },
      { method: 'POST', path: ipRulePath(address, '/move'), rule: 'POST /ip/*/move' },
      ...(holder === null
        ? []
        : [
            {
              method: 'DELETE',
              path: `/dedicated/server/${holder.server}/virtualMac/${holder.mac}/virtualAddress/${address}`,
              rule: 'DELETE /dedicated/server/*/virtualMac/*',
            },
          ]),
    ];
    const missing = needs.filter((need) => !grants(rules, need.method, need.path)).map((need) => need.rule);
    if (missing.length > 0) problems.push(`the consumer key lacks ${missing.join(', ')}`);
  }
  return problems;
}

/**
 * Detaches `address` from `holder` (on the other server) and waits until that
 * vMAC no longer lists it, then moves the IP to `server`. A DELETE whose answer
 * is lost is read back: gone, or pending (409), is what was wanted.
 */
export async function bringToServer(
  deps: CrossServerDeps,
  address: string,
  server: string,
  from: string,
  holder: ForeignHolder | null,
  ctx: ClaimContext,
  steps: ClaimStep[],
): Promise<void> {
  if (holder !== null) {
    const path = `/dedicated/server/${holder.server}/virtualMac/${holder.mac}/virtualAddress/${address}`;
    await ctx.guard();
    ctx.log.info(
      { address, mac: holder.mac, server: holder.server },
      `Deleting ${address} from ${holder.mac} on ${holder.server} before moving it to ${server}`,
    );
    const started = Date.now();
    try {
      await deps.api.mutate('DELETE', path, undefined, ctx.signal);
    } catch (error) {
      if (!isCarpOvhError(error) || error.isCanceled || ctx.signal.aborted || error.status === 401 || error.status === 403) throw error;
      ctx.log.warn(
        { address, mac: holder.mac, err: error.toLogObject() },
        `DELETE of ${address} on ${holder.server} got no usable answer; reading the vMAC back`,
      );
    }
    steps.push({ step: 'detach', ms: Date.now() - started, detail: `${holder.mac} on ${holder.server}` });
    const waitStarted = Date.now();
    // One read per poll: that vMAC's own list (404 once OVH deleted the vMAC).
    const listPath = `/dedicated/server/${holder.server}/virtualMac/${holder.mac}/virtualAddress`;
    for (;;) {
      let list: string[] = [];
      try {
        list = asStringList(await deps.api.get(listPath, ctx.signal), `GET ${listPath}`);
      } catch (error) {
        if (!isCarpOvhError(error) || error.status !== 404) throw error;
      }
      if (!list.includes(address)) break;
      await sleep(deps.pollIntervalMs, ctx.signal);
      await ctx.guard({ maxAgeMs: WAIT_GUARD_MAX_AGE_MS });
    }
    const ms = Date.now() - waitStarted;
    steps.push({ step: 'wait-gone', ms });
    ctx.log.info({ address, mac: holder.mac, waitedMs: ms }, `${address} removed from ${holder.mac} on ${holder.server} after ${formatDuration(ms)}`);
  }
  await deps.mover.moveHere(address, { server, nexthop: null }, from, ctx, steps);
}

export function crossServerRefusal(address: string, server: string, problems: string[]): CarpOvhError {
  return new CarpOvhError(`cannot bring ${address} to ${server}: ${problems.join('; ')}`, { source: 'claim' });
}
