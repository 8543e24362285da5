/**
 * The neutral Platform port as this adapter implements it. Until the core's own
 * src/core/ports/platform.ts is on this branch, these are the same shapes, kept
 * here; the adapter then imports them from the core instead.
 */
import type { CarpState } from '../../core/ports/index.ts';

export type { CarpState };

export interface EntryView {
  state: CarpState | 'absent';
  mac: string | null;
  detail?: string;
}

export interface DemotionReading {
  value: number;
  ours: boolean;
}

export interface DemotionChange extends DemotionReading {
  changed: boolean;
}

export interface AliasPort {
  add(iface: string, address: string): Promise<void>;
  remove(iface: string, address: string): Promise<void>;
  has(iface: string, address: string): Promise<boolean>;
}

/** The parts of a failover entry this platform reads. */
export interface EntryFacts {
  interface: string;
  addresses: string[];
  vhid?: number;
  alias?: { interface: string };
}

/** One line of doctor, as the core's Check (same shape). */
export interface PlatformCheck {
  id: string;
  group: 'platform';
  status: 'pass' | 'warn' | 'fail' | 'skip';
  title: string;
  detail: string;
  fix?: string;
}
