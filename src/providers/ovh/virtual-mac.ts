import { CarpOvhError, deadlineAware, isCarpOvhError } from '../../errors.ts';
import { formatDuration } from '../../duration.ts';
import { sleep } from '../../sleep.ts';
import type { FailoverEntry } from '../../config/types.ts';
import type {
  AddressOutcome,
  Check,
  ClaimContext,
  ClaimRequest,
  ClaimStep,
  FailoverProvider,
  LocateOptions,
  NeededCall,
  Placement,
  PlannedCall,
  ProviderDoctorContext,
  ProviderDoctorEntry,
  TaskJournal,
} from '../../core/ports/index.ts';
import type { OvhApi } from './api.ts';
import { bringToServer, crossServerProblems, crossServerRefusal, foreignHolder, foreignServer, type ForeignHolder } from './cross-server.ts';
import { IpApi } from './ip-api.ts';
import { IpMover } from './ip-mover.ts';
import { MacLists } from './mac-lists.ts';
import { ServerTasks } from './server-tasks.ts';
import type { OvhProviderContext } from './provider-module.ts';
import { planVirtualMac } from './virtual-mac-plan.ts';
import { asStringList, taskPhase, type OvhTask } from './task.ts';
import { VmacMutations } from './vmac-mutation.ts';
import { missingCalls, missingRightsError, neededCalls, notAVirtualMacError, readAccessRules, type AccessRule } from './vmac-preflight.ts';
import { neededCallsOf, virtualMacDoctorChecks } from './virtual-mac-doctor.ts';

/**
 * OVH dedicated-server virtual MACs: a VIP is routed to the vMAC that lists it.
 * Moving it is DELETE on the old vMAC, wait until OVH no longer shows it, POST on
 * ours, wait until OVH shows it (each step can take ~30 s to become visible:
 * docs/benchmarks.md).
 */

/**
 * The wiring's entry point (src/cli/wiring/adapters.ts). Entries on the same server
 * share one provider per context, and so its cache of vMAC lists.
 */
const byContext = new WeakMap<OvhProviderContext, Map<string, VirtualMacProvider>>();

export function createProvider(entry: FailoverEntry, ctx: OvhProviderContext): FailoverProvider {
  const server = entry.server;
  if (server === undefined) throw new CarpOvhError('via: virtual-mac needs failover[].server', { source: 'config', badInput: true });
  let providers = byContext.get(ctx);
  if (providers === undefined) {
    providers = new Map();
    byContext.set(ctx, providers);
  }
  let provider = providers.get(server);
  if (provider === undefined) {
    const { config, api, journal, hostname } = ctx;
    provider = new VirtualMacProvider({ server, api, pollIntervalMs: config.ovh.pollIntervalMs, retries: config.ovh.retries, journal, hostname });
    providers.set(server, provider);
  }
  return provider;
}

function foreignPlacement(address: string, view: CrossServerPlan): Placement {
  return view.holder === null
    ? { address, holder: view.other, here: false, where: `server ${view.other}, on no vMAC there` }
    : { address, holder: view.holder.mac, here: false, where: `vMAC ${view.holder.mac} of ${view.other}` };
}

export interface VirtualMacOptions {
  server: string;
  api: OvhApi;
  pollIntervalMs: number;
  /** How many times a DELETE that failed in transit is sent again. */
  retries: number;
  journal: TaskJournal;
  hostname: string;
  /** Read the task every N polls without progress, to notice one that failed. */
  taskCheckEvery?: number;
}

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;
const WAIT_GUARD_MAX_AGE_MS = 250;

interface Holder {
  mac: string;
  addresses: string[];
}

type WaitResult = { ok: true } | { ok: false; task: OvhTask };

/** An address OVH routes to another server: which, and the vMAC there that lists it (if any). */
interface CrossServerPlan {
  other: string;
  holder: ForeignHolder | null;
}

interface ClaimReads {
  vmacs(signal: AbortSignal): Promise<string[]>;
  /** null when OVH would not show them. */
  rules(signal: AbortSignal): Promise<AccessRule[] | null>;
}

export class VirtualMacProvider implements FailoverProvider {
  private readonly options: VirtualMacOptions;
  private readonly lists: MacLists;
  private readonly tasks: ServerTasks;
  private readonly mutations: VmacMutations;
  private readonly ip: IpApi;
  private readonly mover: IpMover;
  private readonly base: string;

  constructor(options: VirtualMacOptions) {
    this.options = options;
    this.base = `/dedicated/server/${options.server}`;
    this.lists = new MacLists((mac, signal) => this.fetchList(mac, signal), Math.max(1, options.pollIntervalMs * 0.8));
    this.tasks = new ServerTasks(options.api, options.server, options.pollIntervalMs);
    this.mutations = new VmacMutations({
      api: options.api,
      lists: this.lists,
      tasks: this.tasks,
      journal: options.journal,
      pollIntervalMs: options.pollIntervalMs,
      rereadEvery: options.taskCheckEvery ?? 10,
    });
    this.ip = new IpApi(options.api);
    this.mover = new IpMover(this.ip, { pollIntervalMs: options.pollIntervalMs, retries: options.retries });
  }

  get reads(): string {
    return `the vMACs of ${this.options.server}`;
  }

  async locate(addresses: string[], options: LocateOptions = {}): Promise<Placement[]> {
    const signal = options.signal ?? new AbortController().signal;
    const ours = options.mac === undefined || options.mac === null ? null : options.mac.toLowerCase();
    if (ours !== null) {
      // A MASTER's health loop asks this every minute, and OVH routes an IP to one vMAC
      // only: when our list shows them all, one request answers (the claim reads the same way).
      const list = await this.lists.get(ours, signal);
      if (list !== null && addresses.every((address) => list.includes(address))) {
        return addresses.map((address) => ({ address, holder: ours, here: true, where: `vMAC ${ours}` }));
      }
    }
    const holders = await this.allHolders(signal);
    return Promise.all(
      addresses.map(async (address): Promise<Placement> => {
        const holder = holders.find((h) => h.addresses.includes(address))?.mac ?? null;
        if (holder === null) {
          const away = await this.placementElsewhere(address, signal);
          if (away !== null) return away;
        }
        const here = holder === null ? false : ours === null ? null : holder === ours;
        return { address, holder, here, where: holder === null ? `on no vMAC of ${this.options.server}` : `vMAC ${holder}` };
      }),
    );
  }

  /**
   * An address on no vMAC of the server may be routed to another server (routers
   * on two servers): there, the vMAC that lists it, else the server itself. null
   * when OVH routes it here or nowhere, or when /ip cannot tell (a key without
   * GET /ip/*, an IP /ip does not show), as the claim reads it.
   */
  private async placementElsewhere(address: string, signal: AbortSignal): Promise<Placement | null> {
    const view = await this.foreignView(address, signal);
    return view === null ? null : foreignPlacement(address, view);
  }

  /** Where OVH routes an address on no vMAC of the server, when that is another server. */
  private async foreignView(address: string, signal: AbortSignal): Promise<CrossServerPlan | null> {
    let other: string | null;
    try {
      other = await foreignServer(this.ip, address, this.options.server, signal);
    } catch (error) {
      if (signal.aborted || !isCarpOvhError(error) || (error.status !== 404 && error.errorCode !== 'NOT_GRANTED_CALL')) throw error;
      return null;
    }
    if (other === null) return null;
    return { other, holder: await foreignHolder(this.options.api, other, address, signal) };
  }

  neededCalls(entries: readonly ProviderDoctorEntry[]): NeededCall[] {
    return neededCallsOf(this.options.server, entries);
  }

  doctorChecks(addresses: string[], signal: AbortSignal, context?: ProviderDoctorContext): Promise<Check[]> {
    const request = context ?? { entries: [], allAddresses: new Set(addresses), unavailable: null };
    return virtualMacDoctorChecks(
      this.options.server,
      { ...request, signal },
      async (signal) => new Map((await this.allHolders(signal)).map((h) => [h.mac, h.addresses])),
      async (address, signal) => {
        const view = await this.foreignView(address, signal);
        if (view === null) return null;
        // What the claim here would refuse on before its first change (crossServerProblems is its preflight).
        const problems = await crossServerProblems({ ip: this.ip }, address, this.options.server, view.holder, [...request.allAddresses], signal);
        return { placement: foreignPlacement(address, view), from: view.other, problems };
      },
    );
  }

  /** dry-run: the real preflight (it refuses what the claim would refuse), then the calls the claim would send. */
  async plan(request: ClaimRequest, ctx: ClaimContext): Promise<PlannedCall[]> {
    await this.preflight(request, ctx);
    return planVirtualMac(
      {
        server: this.options.server,
        api: this.options.api,
        hostname: this.options.hostname,
        // The claim's own planning for an address on another server: the same reads and refusals.
        crossServer: (addresses) => this.planCrossServer(addresses, request.addresses, ctx),
      },
      request,
      ctx,
    );
  }

  /**
   * Proves the move can finish before anything changes at OVH: `request.mac` is
   * a vMAC of the server and the key may make every call of the move. Throws a
   * CarpOvhError that says what to fix otherwise.
   */
  async preflight(request: ClaimRequest, ctx: Pick<ClaimContext, 'signal' | 'log'>): Promise<void> {
    const reads = this.claimReads();
    const mac = request.mac.toLowerCase();
    const holders = await this.allHolders(ctx.signal, undefined, reads);
    const detach = request.addresses.flatMap((address) => {
      const holder = holders.find((h) => h.addresses.includes(address));
      return holder === undefined || holder.mac === mac ? [] : [{ mac: holder.mac, address }];
    });
    await this.checkPreflight(mac, detach, reads, ctx);
  }

  async claim(request: ClaimRequest, ctx: ClaimContext): Promise<AddressOutcome[]> {
    const mac = request.mac.toLowerCase();
    await this.settlePendingTasks(request.addresses, ctx);

    const locateStarted = Date.now();
    // Look on our own vMAC first: the common "already here" case costs one request and changes nothing.
    const ours = await this.lists.get(mac, ctx.signal);
    const missing = request.addresses.filter((address) => ours?.includes(address) !== true);
    let holders: Holder[] = [];
    let cross = new Map<string, CrossServerPlan>();
    if (missing.length > 0) {
      // The preflight's reads are the locate's: the vMAC list is read once, the key's rules beside it.
      const reads = this.claimReads();
      void reads.rules(ctx.signal).catch(() => undefined);
      holders = await this.allHolders(ctx.signal, mac, reads);
      const detach = missing.flatMap((address) => {
        const holder = holders.find((h) => h.addresses.includes(address));
        return holder === undefined ? [] : [{ mac: holder.mac, address }];
      });
      await this.checkPreflight(mac, detach, reads, ctx);
      const unheld = missing.filter((address) => !holders.some((h) => h.addresses.includes(address)));
      if (unheld.length > 0) cross = await this.planCrossServer(unheld, request.addresses, ctx);
    }
    const locateMs = Date.now() - locateStarted;

    return Promise.all(
      request.addresses.map(async (address): Promise<AddressOutcome> => {
        const steps: ClaimStep[] = [{ step: 'locate', ms: locateMs }];
        if (ours?.includes(address) === true) {
          ctx.log.info({ address, mac }, `${address} is already on ${mac}: nothing to do`);
          return { address, from: mac, result: 'already-here', steps };
        }
        const holder = holders.find((h) => h.addresses.includes(address)) ?? null;
        const away = cross.get(address);
        if (away !== undefined) {
          ctx.log.info(
            { address, server: away.other, holder: away.holder?.mac ?? null },
            `${address} is routed to ${away.other}${away.holder === null ? '' : ` (on ${away.holder.mac} there)`}`,
          );
        } else {
          ctx.log.info(
            { address, holder: holder?.mac ?? null },
            holder === null ? `${address} is on no vMAC` : `${address} is on ${holder.mac} (with ${holder.addresses.join(', ')})`,
          );
        }
        try {
          if (away !== undefined) {
            // Off the vMAC there, moved to this server, then attached here below: one claim, one deadline.
            await bringToServer(
              { api: this.options.api, ip: this.ip, mover: this.mover, pollIntervalMs: this.options.pollIntervalMs },
              address,
              this.options.server,
              away.other,
              away.holder,
              ctx,
              steps,
            );
          }
          const outcome = await this.moveOne(address, holder, request, mac, ctx, steps);
          return away === undefined ? outcome : { ...outcome, from: away.holder?.mac ?? away.other, result: 'moved' };
        } catch (error) {
          const failure = deadlineAware(error, ctx.signal);
          const cancelled = isCarpOvhError(failure) && failure.isCanceled;
          return {
            address,
            from: away?.holder?.mac ?? away?.other ?? holder?.mac ?? null,
            result: cancelled ? 'cancelled' : 'failed',
            steps,
            error: failure.toLogObject(),
          };
        }
      }),
    );
  }

  /**
   * Addresses on no vMAC of this server may be routed to another server (routers
   * on two servers). Each such one is planned, and everything the move needs
   * proven, before any change: a refusal changes nothing at OVH. A key that may
   * not read /ip leaves the claim as it was (attach here).
   */
  private async planCrossServer(addresses: string[], claimed: string[], ctx: Pick<ClaimContext, 'signal' | 'log'>): Promise<Map<string, CrossServerPlan>> {
    const plans = new Map<string, CrossServerPlan>();
    const problems: string[] = [];
    await Promise.all(
      addresses.map(async (address) => {
        let other: string | null;
        try {
          other = await foreignServer(this.ip, address, this.options.server, ctx.signal);
        } catch (error) {
          // A key that may not read /ip, or an IP /ip does not show: neither says the IP is
          // elsewhere, so it is attached here, as a claim on one server always did.
          if (!isCarpOvhError(error) || (error.status !== 404 && error.errorCode !== 'NOT_GRANTED_CALL')) throw error;
          ctx.log.warn({ address }, `GET /ip/${address} cannot tell whether OVH routes it to another server (${error.message}): attaching it here`);
          return;
        }
        if (other === null) return;
        const holder = await foreignHolder(this.options.api, other, address, ctx.signal);
        problems.push(...(await crossServerProblems({ ip: this.ip }, address, this.options.server, holder, claimed, ctx.signal)));
        plans.set(address, { other, holder });
      }),
    );
    if (problems.length > 0) throw crossServerRefusal([...plans.keys()].join(', '), this.options.server, problems);
    return plans;
  }

  /** Reads shared by the preflight and the locate of one claim. */
  private claimReads(): ClaimReads {
    let vmacs: Promise<string[]> | null = null;
    let rules: Promise<AccessRule[] | null> | null = null;
    return {
      vmacs: (signal) => (vmacs ??= this.readVmacs(signal)),
      rules: (signal) =>
        (rules ??= readAccessRules(this.options.api, signal).catch((error: unknown) => {
          // Every valid key may read its own credential; one that may not is a doubt, not a refusal: the calls will tell.
          if (isCarpOvhError(error) && (error.status === 403 || error.status === 401) && error.errorCode !== 'INVALID_SIGNATURE' && !signal.aborted)
            return null;
          throw error;
        })),
    };
  }

  private async checkPreflight(
    mac: string,
    detach: Array<{ mac: string; address: string }>,
    reads: ClaimReads,
    ctx: Pick<ClaimContext, 'signal' | 'log'>,
  ): Promise<void> {
    const [vmacs, rules] = await Promise.all([reads.vmacs(ctx.signal), reads.rules(ctx.signal)]);
    if (!vmacs.includes(mac)) throw notAVirtualMacError(mac, this.options.server);
    if (rules === null) {
      ctx.log.warn(
        { server: this.options.server },
        "OVH would not show the consumer key's access rules (GET /auth/currentCredential): going on without proof that every call of the move is granted",
      );
      return;
    }
    const missing = missingCalls(rules, neededCalls(this.options.server, mac, detach));
    if (missing.length > 0) throw missingRightsError(missing);
  }

  private async moveOne(
    address: string,
    initialHolder: Holder | null,
    request: ClaimRequest,
    mac: string,
    ctx: ClaimContext,
    steps: ClaimStep[],
  ): Promise<AddressOutcome> {
    let holder = initialHolder;
    const from = holder?.mac ?? null;
    let vmName = request.vmName;

    if (holder !== null) {
      const others = holder.addresses.filter((ip) => !request.addresses.includes(ip));
      if (others.length === 0) {
        throw new CarpOvhError(
          `refusing to detach ${address} from ${holder.mac}: it is the only IP on that vMAC, and OVH deletes a vMAC with its last IP; add another IP of that router to it (see carp-ovh doctor)`,
          { source: 'claim' },
        );
      }
      vmName ??= await this.holderVmName(holder.mac, address, ctx.signal);

      for (let attempt = 1; ; attempt++) {
        const waited = await this.detach(address, holder.mac, ctx, steps);
        if (waited.ok) break;
        ctx.log.warn(
          { address, mac: holder.mac, taskId: waited.task.taskId, status: waited.task.status },
          `detach task for ${address} ended ${waited.task.status}`,
        );
        if (attempt >= 2) {
          throw new CarpOvhError(`OVH could not detach ${address} from ${holder.mac}: task ${waited.task.taskId} ended ${waited.task.status} twice`, {
            source: 'ovh',
          });
        }
        const now = (await this.allHolders(ctx.signal, mac)).find((h) => h.addresses.includes(address)) ?? null;
        const onOurs = (await this.lists.get(mac, ctx.signal))?.includes(address) === true;
        if (onOurs) return { address, from, result: 'moved', steps };
        if (now === null) break;
        holder = now;
      }
    }

    await this.attachUntilVisible(address, mac, vmName ?? this.options.hostname, ctx, steps);
    return { address, from, result: from === null ? 'attached' : 'moved', steps };
  }

  /** Submits the DELETE and waits until OVH no longer lists the address on that vMAC. */
  private async detach(address: string, holderMac: string, ctx: ClaimContext, steps: ClaimStep[]): Promise<WaitResult> {
    ctx.log.info({ address, mac: holderMac }, `Deleting ${address} from ${holderMac}`);
    const started = Date.now();
    // Sent again (ovh.retries) only when OVH shows neither the detach nor a pending task.
    const task = await this.mutations.send(
      {
        op: 'detach',
        method: 'DELETE',
        path: `${this.base}/virtualMac/${holderMac}/virtualAddress/${address}`,
        address,
        mac: holderMac,
        resends: this.options.retries,
      },
      ctx,
    );
    steps.push({ step: 'detach', ms: Date.now() - started, detail: task === null ? 'OVH showed it done' : `task ${task.taskId}` });
    const waitStarted = Date.now();
    const result = await this.waitFor(holderMac, (list) => list === null || !list.includes(address), task, ctx);
    if (task !== null) await this.options.journal.forget(address, task.taskId);
    const ms = Date.now() - waitStarted;
    steps.push({ step: 'wait-gone', ms });
    if (result.ok) ctx.log.info({ address, mac: holderMac, waitedMs: ms }, `${address} removed from ${holderMac} after ${formatDuration(ms)}`);
    return result;
  }

  /**
   * Once detached, the VIP is routed nowhere: the worst state. Only an attach here
   * helps (the old holder is no longer MASTER), so keep trying until the deadline,
   * except on errors that trying again cannot fix (credentials, access rules) or
   * when another router took the address meanwhile.
   */
  private async attachUntilVisible(address: string, mac: string, vmName: string, ctx: ClaimContext, steps: ClaimStep[]): Promise<void> {
    const elsewhere = async (): Promise<void> => {
      const where = (await this.allHolders(ctx.signal)).find((h) => h.addresses.includes(address)) ?? null;
      if (where !== null && where.mac !== mac) {
        throw new CarpOvhError(`${address} is now on ${where.mac}, not detached: another router claimed it; stopping`, { source: 'claim' });
      }
    };
    for (let attempt = 1; ; attempt++) {
      ctx.log.info({ address, mac, vmName }, `Adding ${address} to ${mac}`);
      const started = Date.now();
      const task = await this.mutations.send(
        {
          op: 'attach',
          method: 'POST',
          path: `${this.base}/virtualMac/${mac}/virtualAddress`,
          body: { ipAddress: address, virtualMachineName: vmName },
          address,
          mac,
          resends: Number.POSITIVE_INFINITY,
          beforeResend: elsewhere,
        },
        ctx,
      );
      const result = await this.trackAttach(address, mac, task, started, ctx, steps);
      if (result.ok) return;
      ctx.log.warn(
        { address, mac, attempt, taskId: result.task.taskId, status: result.task.status },
        `attach task ${result.task.taskId} for ${address} ended ${result.task.status} (attempt ${attempt}); ${address} is detached, trying again`,
      );
      await elsewhere();
      if ((await this.mutations.readBack({ op: 'attach', address, mac }, ctx)) === 'shown') return;
      await sleep(this.options.pollIntervalMs, ctx.signal);
    }
  }

  private async trackAttach(address: string, mac: string, task: OvhTask | null, started: number, ctx: ClaimContext, steps: ClaimStep[]): Promise<WaitResult> {
    steps.push({ step: 'attach', ms: Date.now() - started, detail: task === null ? 'OVH showed it done' : `task ${task.taskId}` });
    const waitStarted = Date.now();
    const result = await this.waitFor(mac, (list) => list?.includes(address) === true, task, ctx);
    if (task !== null) await this.options.journal.forget(address, task.taskId);
    const ms = Date.now() - waitStarted;
    steps.push({ step: 'wait-visible', ms });
    if (result.ok) ctx.log.info({ address, mac, waitedMs: ms }, `${address} attached to ${mac} after ${formatDuration(ms)}`);
    return result;
  }

  private async waitFor(mac: string, done: (list: string[] | null) => boolean, task: OvhTask | null, ctx: ClaimContext): Promise<WaitResult> {
    const every = this.options.taskCheckEvery ?? 10;
    let taskReadable = true;
    let warned = false;
    for (let polls = 1; ; polls++) {
      await sleep(this.options.pollIntervalMs, ctx.signal);
      // Every Nth poll reads the task instead of the list (to notice a task that
      // failed), so waiting costs one request per poll interval either way.
      // A task OVH still shows pending needs no list read this poll.
      let taskPending = false;
      if (taskReadable && task !== null && polls % every === 0) {
        let now: OvhTask | null = null;
        try {
          const read = await this.tasks.readOnce(task.taskId, ctx.signal);
          if ('task' in read) now = read.task;
          else if (!warned) {
            // 404/500/408/429 or a reset say nothing about the task: read it again next time.
            warned = true;
            ctx.log.warn(
              { mac, taskId: task.taskId, err: read.unreadable.toLogObject() },
              `cannot read task ${task.taskId} for now; waiting on the address list, reading the task again later`,
            );
          }
        } catch (error) {
          if (!isCarpOvhError(error) || error.isCanceled || ctx.signal.aborted) throw error;
          // The task only tells a failure early; the address list is what proves
          // success. A task API that stays broken must not strand a detached VIP.
          taskReadable = false;
          ctx.log.warn({ mac, taskId: task.taskId, err: error.toLogObject() }, `cannot read task ${task.taskId}; waiting on the address list alone`);
        }
        const phase = now === null ? null : taskPhase(now);
        if (now !== null && phase === 'failed') return { ok: false, task: now };
        taskPending = phase === 'pending';
      }
      if (!taskPending && done(await this.lists.get(mac, ctx.signal))) return { ok: true };
      // Only a poll that waits on asks whether this router is still MASTER (a recent
      // answer will do). A wait that ends needs no answer: what follows is either a
      // mutation, which asks afresh, or the end of the claim. On a router the
      // question is an ifconfig or sysctl run, so asking less often ends each wait sooner.
      await ctx.guard({ maxAgeMs: WAIT_GUARD_MAX_AGE_MS });
    }
  }

  /** Waits out tasks a previous (crashed or superseded) claim left pending, so nothing here collides with them. */
  private async settlePendingTasks(addresses: string[], ctx: ClaimContext): Promise<void> {
    const entries = (await this.options.journal.list()).filter((entry) => addresses.includes(entry.address));
    for (const entry of entries) {
      ctx.log.info(
        { address: entry.address, taskId: entry.taskId, op: entry.op },
        `waiting for task ${entry.taskId} (${entry.op} of ${entry.address}) left by an earlier claim`,
      );
      // A task OVH cannot show is gone only when the address list agrees (or OVH lists it pending no more).
      const gone = async (): Promise<boolean> => {
        this.lists.invalidate(entry.mac);
        const list = await this.lists.get(entry.mac, ctx.signal);
        const shown = entry.op === 'detach' ? list === null || !list.includes(entry.address) : list?.includes(entry.address) === true;
        return shown || !(await this.tasks.pendingVmacTasks(ctx.signal)).includes(entry.taskId);
      };
      for (;;) {
        const task = await this.tasks.read(entry.taskId, ctx.signal, gone);
        if (task === null || taskPhase(task) !== 'pending') break;
        await sleep(this.options.pollIntervalMs, ctx.signal);
      }
      await this.options.journal.forget(entry.address, entry.taskId);
      this.lists.invalidate(entry.mac);
    }
  }

  private async fetchList(mac: string, signal: AbortSignal): Promise<string[] | null> {
    try {
      return asStringList(await this.options.api.get(`${this.base}/virtualMac/${mac}/virtualAddress`, signal), `GET virtualMac/${mac}/virtualAddress`);
    } catch (error) {
      if (isCarpOvhError(error) && error.status === 404) return null;
      throw error;
    }
  }

  private async readVmacs(signal: AbortSignal): Promise<string[]> {
    const macs = asStringList(await this.options.api.get(`${this.base}/virtualMac`, signal), 'GET virtualMac').map((m) => m.toLowerCase());
    for (const mac of macs) {
      if (!MAC.test(mac))
        throw new CarpOvhError(`OVH listed a vMAC that is not a MAC address: ${JSON.stringify(mac.slice(0, 40))}`, { source: 'ovh', badInput: true });
    }
    return macs;
  }

  /** Every vMAC of the server with its addresses (but `skip`, already read). */
  private async allHolders(signal: AbortSignal, skip?: string, reads?: ClaimReads): Promise<Holder[]> {
    const macs = await (reads === undefined ? this.readVmacs(signal) : reads.vmacs(signal));
    return Promise.all(macs.filter((mac) => mac !== skip).map(async (mac) => ({ mac, addresses: (await this.lists.get(mac, signal)) ?? [] })));
  }

  private async holderVmName(mac: string, address: string, signal: AbortSignal): Promise<string | null> {
    try {
      const detail = (await this.options.api.get(`${this.base}/virtualMac/${mac}/virtualAddress/${address}`, signal)) as {
        virtualMachineName?: unknown;
      } | null;
      return typeof detail?.virtualMachineName === 'string' && detail.virtualMachineName !== '' ? detail.virtualMachineName : null;
    } catch (error) {
      if (signal.aborted) throw error;
      // The name is cosmetic: the hostname will do.
      return null;
    }
  }
}
