import { OVH_APPLICATION_KEY, OVH_APPLICATION_SECRET, OVH_CONSUMER_KEY } from '../secrets.ts';
import type { Credentials } from './access.ts';
import { completeState, DEFAULT_DELAYS, DEFAULT_DIALECTS, padVirtualMacs } from './state.ts';
import { TaskBook } from './tasks.ts';
import type { HttpMethod, OvhSimulatorOptions, SimConsumer, SimDelays, SimDialects, SimState } from './types.ts';

const ALL_METHODS: HttpMethod[] = ['GET', 'POST', 'PUT', 'DELETE'];

/** The test consumer key, granted every call (as OVH's createToken page does with `/*`). */
export function grantAll(): SimConsumer {
  return { rules: ALL_METHODS.map((method) => ({ method, path: '/*' })), status: 'validated', expiration: null };
}

/** Everything the routes read and change: one mutable world per simulator. */
export class SimCore {
  private world!: SimState;
  readonly tasks = new TaskBook();
  delays: SimDelays;
  private dialectSet: SimDialects = { ...DEFAULT_DIALECTS };
  clockOffsetSec: number;
  readonly timestampWindowSec: number;
  readonly credentials: Credentials;
  private macSeq = 0;
  private readonly applicationIds = new Map<string, number>();
  private readonly credentialIds = new Map<string, number>();

  constructor(options: OvhSimulatorOptions) {
    this.dialectSet = { ...DEFAULT_DIALECTS, ...options.dialects };
    this.state = completeState(options.state);
    this.delays = { ...DEFAULT_DELAYS, ...options.delays };
    this.clockOffsetSec = options.clockOffsetSec ?? 0;
    this.timestampWindowSec = options.timestampWindowSec ?? 30;
    this.credentials = {
      applications: new Map(Object.entries(options.applications ?? { [OVH_APPLICATION_KEY]: OVH_APPLICATION_SECRET })),
      consumers: new Map(Object.entries(options.consumers ?? { [OVH_CONSUMER_KEY]: grantAll() })),
    };
  }

  get state(): SimState {
    return this.world;
  }

  /** A new world gets the dialect's extra vMACs too. */
  set state(state: SimState) {
    this.world = state;
    if (this.dialectSet.virtualMacs > 0) padVirtualMacs(state, this.dialectSet.virtualMacs);
  }

  get dialects(): SimDialects {
    return this.dialectSet;
  }

  set dialects(dialects: SimDialects) {
    this.dialectSet = dialects;
    if (dialects.virtualMacs > 0) padVirtualMacs(this.world, dialects.virtualMacs);
  }

  /** How a vMAC task's change shows against its status (the `listChange` dialect). */
  visibility(): { order: SimDialects['listChange']; lagMs: number } {
    return { order: this.dialectSet.listChange, lagMs: this.dialectSet.listLagMs };
  }

  /** How far the tasks' clock is ahead of the real one (advanceTaskClock). */
  taskClockAheadMs = 0;

  now(): number {
    return Date.now() + this.taskClockAheadMs;
  }

  /** The simulator's own clock in Unix seconds, skew included. */
  nowSec(): number {
    return Math.round(Date.now() / 1000) + this.clockOffsetSec;
  }

  settle(): void {
    this.tasks.settle(this.now());
  }

  newMac(type: 'ovh' | 'vmware'): string {
    this.macSeq += 1;
    const hex = (n: number) => n.toString(16).padStart(2, '0');
    const tail = `${hex((this.macSeq >> 8) & 0xff)}:${hex(this.macSeq & 0xff)}`;
    return type === 'vmware' ? `00:50:56:0a:${tail}` : `02:00:00:0a:${tail}`;
  }

  applicationId(applicationKey: string): number {
    let id = this.applicationIds.get(applicationKey);
    if (id === undefined) {
      id = 100_000 + this.applicationIds.size + 1;
      this.applicationIds.set(applicationKey, id);
    }
    return id;
  }

  credentialId(consumerKey: string): number {
    let id = this.credentialIds.get(consumerKey);
    if (id === undefined) {
      id = 700_000_000 + this.credentialIds.size + 1;
      this.credentialIds.set(consumerKey, id);
    }
    return id;
  }
}
