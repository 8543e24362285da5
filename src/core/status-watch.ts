import { sleep } from '../sleep.ts';
import type { LocateTarget, Placement } from './ports/index.ts';
import { gatherStatus, type StatusDeps, type StatusReport } from './status.ts';

/**
 * `status --watch`: the report again every second, for an operator watching a
 * planned failover. The local part (CARP state, demotion, last claim and check)
 * is read afresh each time; where OVH routes the VIPs costs a Vault login and
 * several OVH requests, shared with the routers' own claims under OVH's fair use,
 * so it is refreshed at most every `placementEveryMs`, in the background, and
 * the last answer is shown meanwhile with its age.
 */

export interface WatchOptions {
  intervalMs: number;
  placementEveryMs: number;
  signal: AbortSignal;
  draw: (report: StatusReport, placementAgeMs: number | null) => void;
}

type Locate = StatusDeps['locate'];

export function cachedLocate(locate: Locate, everyMs: number, now: () => number): { locate: Locate; ageMs: () => number | null } {
  let last: { at: number; value: Promise<Placement[]> } | null = null;
  let settled: { at: number; value: Placement[] } | null = null;
  let inFlight: Promise<Placement[]> | null = null;
  const refresh = (entries: LocateTarget[], signal: AbortSignal): Promise<Placement[]> => {
    const at = now();
    const value = locate(entries, signal);
    last = { at, value };
    inFlight = value;
    value
      .then(
        (placements) => {
          settled = { at, value: placements };
        },
        () => undefined,
      )
      .finally(() => {
        if (inFlight === value) inFlight = null;
      });
    return value;
  };
  return {
    locate: (entries, signal) => {
      const fresh = last !== null && now() - last.at < everyMs;
      if (!fresh && inFlight === null) {
        const started = refresh(entries, signal);
        // The first answer is waited for (bounded by status' own timeout); later ones arrive in the background.
        if (settled === null) return started;
      }
      if (settled !== null) return Promise.resolve(settled.value);
      return last?.value ?? refresh(entries, signal);
    },
    ageMs: () => (settled === null ? null : now() - settled.at),
  };
}

export async function watchStatus(deps: StatusDeps, options: WatchOptions): Promise<void> {
  const cache = cachedLocate(deps.locate, options.placementEveryMs, deps.now);
  const watched: StatusDeps = { ...deps, locate: cache.locate };
  while (!options.signal.aborted) {
    const started = deps.now();
    const report = await gatherStatus(watched);
    if (options.signal.aborted) return;
    options.draw(report, cache.ageMs());
    const wait = started + options.intervalMs - deps.now();
    await sleep(Math.max(0, wait), options.signal).catch(() => undefined);
  }
}
