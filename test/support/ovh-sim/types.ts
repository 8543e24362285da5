/** Shapes shared by the OVH API simulator's modules and its users. */

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** One OVH access rule; `*` in `path` matches any run of characters, `/` included. */
export interface AccessRule {
  method: HttpMethod;
  path: string;
}

export type CredentialStatus = 'validated' | 'pendingValidation' | 'expired' | 'refused';

export interface SimConsumer {
  rules: AccessRule[];
  /** Application the key was issued to; any application when unset. */
  applicationKey?: string;
  /** Anything but `validated` answers 403 INVALID_CREDENTIAL. */
  status?: CredentialStatus;
  /** ISO date, or null for a key that never expires. */
  expiration?: string | null;
}

export type VirtualMacType = 'ovh' | 'vmware';

export interface SimVirtualMac {
  type: VirtualMacType;
  /** IPv4 → virtualMachineName. */
  ips: Record<string, string>;
}

export interface SimDedicatedServer {
  /** Lower-case MAC → vMAC. */
  virtualMacs: Record<string, SimVirtualMac>;
  /** Next hops a failover IP moved here may name (`ip.Destination.nexthop`); none when unset. */
  nexthops?: string[];
}

export interface SimIpBlock {
  /** Dedicated server the block is routed to, null when parked. */
  routedTo: string | null;
  type?: string;
  description?: string | null;
  /** Servers `GET /ip/{ip}/move` offers (besides where it is); every dedicated server of the state when unset. */
  destinations?: string[];
}

/**
 * Where OVH's behaviour is undocumented, each plausible answer is a switch; the
 * product is tested under all of them.
 */
export interface SimDialects {
  /**
   * `POST /ip/{ip}/move` while a vMAC of the old server still lists the IP:
   * `strip` moves it and the vMAC loses it with the route; `refuse` answers 400
   * (take it off the vMAC first); `keep` moves it and leaves the old vMAC listing it.
   */
  moveWhileOnVirtualMac: 'strip' | 'refuse' | 'keep';
  /** Status of `POST /ip/{ip}/move` while a move task is pending on that IP. */
  movePendingStatus: 409 | 400;
  /*
   * The virtual-MAC calls (the defaults are the simulator's original guesses;
   * test/reliability/dialects.test.ts runs the claim under every switch and
   * every pair of them).
   */
  /**
   * When a vMAC task's change shows in the address lists: `with-task` as the
   * task ends `done`; `list-first` first, the task staying `doing` for
   * `listLagMs` more (a mutation on that IP answers 409 meanwhile); `task-first`
   * `listLagMs` after the task ended `done`.
   */
  listChange: 'with-task' | 'list-first' | 'task-first';
  listLagMs: number;
  /** Answer to DELETE …/virtualAddress/{ip} when the IP is not on that vMAC. */
  deleteAbsent: 404 | 400;
  /** Answer to POST …/virtualMac/{mac}/virtualAddress when the IP is on another vMAC. */
  postElsewhere: 400 | 409;
  /** GET …/task/{id} answers 404 for each task's first N reads (a task not yet visible). */
  taskNotFoundReads: number;
  /**
   * An overloaded front: every distinct call (method and URL) is first answered
   * by an HTML `408 Request Time-out`, once. `before`: the API never saw that
   * request; `after`: the API carried it out and the answer was lost.
   */
  html408: 'off' | 'before' | 'after';
  /** Every dedicated server shows at least this many vMACs (one VM and one IP each): an ESXi host. 0 = as the state says. */
  virtualMacs: number;
}

export interface SimCloudInstance {
  id: string;
  name: string;
  region?: string;
  /** cloud.instance.InstanceStatusEnum; ACTIVE when unset. */
  status?: string;
  /** The instance's own public IPv4 (ipAddresses). */
  publicIp?: string;
  /**
   * The next N attaches to this instance answer 400 "instance IP not allocated yet"
   * (seen right after an instance is created; Terraform's provider retries it).
   */
  ipNotAllocatedAttaches?: number;
}

export interface SimCloudFailoverIp {
  id: string;
  /** Bare IPv4, without /32. */
  ip: string;
  /** Instance id (the schema's routedTo cannot be null: a Public Cloud failover IP is always attached). */
  routedTo: string;
}

export interface SimCloudProject {
  instances: SimCloudInstance[];
  failoverIps: SimCloudFailoverIp[];
}

export interface SimState {
  dedicated: Record<string, SimDedicatedServer>;
  /** Keyed by bare IPv4 (`1.2.3.4`), shown to clients as `1.2.3.4/32`. */
  ips: Record<string, SimIpBlock>;
  cloud: Record<string, SimCloudProject>;
}

/** Milliseconds from the call that creates a task to the task's completion. */
export interface SimDelays {
  /** DELETE …/virtualAddress/{ip} */
  delete: number;
  /** POST …/virtualMac/{mac}/virtualAddress */
  add: number;
  /** POST …/virtualMac (new vMAC with its first IP) */
  createMac: number;
  /** POST /ip/{ip}/move */
  move: number;
  /** POST /cloud/project/{sn}/ip/failover/{id}/attach */
  attach: number;
}

export type TaskStatus = 'init' | 'todo' | 'doing' | 'done' | 'cancelled' | 'customerError' | 'ovhError';
/** How an injected fault makes a task end; `never` keeps it `doing` for good. */
export type TaskOutcome = 'done' | 'cancelled' | 'customerError' | 'ovhError' | 'never';

export type FaultAction =
  /** Answer with this status and body (an OVH-style error body by default). */
  | { type: 'status'; status: number; body?: unknown; errorCode?: string; message?: string }
  /** Hold the request this long, then handle it normally (or apply another matching fault). */
  | { type: 'delay'; ms: number }
  /** Never answer: the connection stays open until the client gives up or the simulator closes. */
  | { type: 'stall' }
  /** Destroy the socket without answering. */
  | { type: 'drop' }
  /** Handle the call (a mutation takes effect, its task starts), then reset the connection instead of answering. */
  | { type: 'lose-answer' }
  /** Answer 200 (or `status`) with a body that is not JSON. */
  | { type: 'malformed'; status?: number; body?: string }
  /** The task created by the matching mutation ends this way, and its change is not applied. */
  | { type: 'task'; outcome: Exclude<TaskOutcome, 'done'> };

export interface FaultSpec {
  /** Any method when unset. */
  method?: HttpMethod;
  /** Path below /1.0, without query string, `*` wildcard (access-rule syntax). */
  path: string;
  /** Only the next N matching calls; unlimited when unset. */
  times?: number;
  action: FaultAction;
}

export interface SimRequestRecord {
  seq: number;
  /** Epoch ms when the request arrived. */
  time: number;
  method: string;
  /** Path as sent (with /1.0 and the query string). */
  path: string;
  /** 0 when the connection was dropped or the request stalled. */
  status: number;
  durationMs: number;
  queryId: string;
  errorCode?: string;
  /** Which fault shaped the answer, if any. */
  fault?: FaultAction['type'];
  /** Parsed JSON body of POST/PUT calls (never contains credentials). */
  body?: unknown;
}

export interface SimStats {
  total: number;
  /** 409 answers: later tests assert this stays 0. */
  conflicts: number;
  byStatus: Record<string, number>;
  dropped: number;
  stalled: number;
  requestsLastMinute: number;
  /** Highest number of requests seen in any 60 s sliding window. */
  maxRequestsPerMinute: number;
}

export type SimPlacement =
  | { via: 'virtual-mac'; server: string; mac: string; virtualMachineName: string }
  | { via: 'ip-move'; server: string }
  | { via: 'cloud-failover'; project: string; failoverIpId: string; instanceId: string };

export interface SimTaskView {
  taskId: number;
  function: string;
  status: TaskStatus;
  owner: string;
  target: string;
  startMs: number;
  dueMs: number;
}

export interface OvhSimulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** `rogue` serves the self-signed certificate no test trusts. */
  tls?: 'trusted' | 'rogue';
  /** AK → AS. Default: the test application from test/support/secrets.ts. */
  applications?: Record<string, string>;
  /** CK → consumer. Default: the test consumer key, granted everything. */
  consumers?: Record<string, SimConsumer>;
  /** Default: the Nasqueron setup of the seed (two router vMACs on one server). */
  state?: Partial<SimState>;
  delays?: Partial<SimDelays>;
  dialects?: Partial<SimDialects>;
  /** Added to the simulator's clock (seconds): /auth/time and the timestamp check. */
  clockOffsetSec?: number;
  /** Accepted distance between X-Ovh-Timestamp and the simulator's clock. Default 30 s. */
  timestampWindowSec?: number;
  /** Serve the unauthenticated control routes under /_sim (standalone process). */
  control?: boolean;
}
