/**
 * The core's Platform port shapes this adapter implements, and the narrow views of
 * the config and of doctor's checks it works with.
 */
import type { AliasPort, CarpState, Check, DemotionChange, DemotionReading, EntryView } from '../../core/ports/index.ts';

export type { AliasPort, CarpState, DemotionChange, DemotionReading, EntryView };

/** The parts of a failover entry this platform reads. */
export interface EntryFacts {
  interface: string;
  addresses: string[];
  vhid?: number;
  alias?: { interface: string };
}

/** One line of doctor: the core's Check, always in the platform group. */
export type PlatformCheck = Check & { group: 'platform' };
