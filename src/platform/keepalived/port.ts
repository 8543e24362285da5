/**
 * The neutral Platform port as this adapter implements it: the core's own
 * shapes (src/core/ports/platform.ts), and the parts of a failover entry a
 * platform reads.
 */
import type { FailoverEntry } from '../../config/types.ts';

export type { AliasPort, CarpState, DemotionChange, DemotionReading, EntryView } from '../../core/ports/index.ts';

/** The parts of a failover entry a platform reads. */
export type EntryFacts = Pick<FailoverEntry, 'interface' | 'addresses' | 'vrrpInstance'>;
