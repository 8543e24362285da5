import { CarpOvhError, deadlineAware, isCarpOvhError } from '../../errors.ts';
import { formatDuration } from '../../duration.ts';
import { sleep } from '../../sleep.ts';
import type { AddressOutcome, ClaimContext, ClaimRequest, ClaimStep, FailoverProvider, Placement, PlannedCall } from '../../core/ports.ts';
import type { OvhApi } from './api.ts';
import { MacLists } from './mac-lists.ts';
import { planVirtualMac } from './virtual-mac-plan.ts';
import { asStringList, asTask, taskPhase, type OvhTask } from './task.ts';

/**
 * OVH dedicated-server virtual MACs: a VIP is routed to the vMAC that lists it.
 * Moving it is DELETE on the old vMAC, wait until OVH no longer shows it, POST on
 * ours, wait until OVH shows it (seed 000: each took ~30 s to become visible).
 */

/** Tasks this router submitted and has not seen finish, kept across crashes and superseded claims. */
export interface TaskJournalEntry {
  address: string;
  taskId: number;
  mac: string;
  op: 'detach' | 'attach';
  at: string;
}

export interface TaskJournal {
  list(): Promise<TaskJournalEntry[]>;
  record(entry: TaskJournalEntry): Promise<void>;
  forget(address: string, taskId: number): Promise<void>;
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

export class VirtualMacProvider implements FailoverProvider {
  private readonly options: VirtualMacOptions;
  private readonly lists: MacLists;
  private readonly base: string;

  constructor(options: VirtualMacOptions) {
    this.options = options;
    this.base = `/dedicated/server/${options.server}`;
    this.lists = new MacLists((mac, signal) => this.fetchList(mac, signal), Math.max(1, options.pollIntervalMs * 0.8));
  }

  async locate(addresses: string[], options: { signal?: AbortSignal } = {}): Promise<Placement[]> {
    const signal = options.signal ?? new AbortController().signal;
    const holders = await this.allHolders(signal);
    return addresses.map((address) => ({ address, holder: holders.find((h) => h.addresses.includes(address))?.mac ?? null }));
  }

  plan(request: ClaimRequest, ctx: ClaimContext): Promise<PlannedCall[]> {
    return planVirtualMac({ server: this.options.server, api: this.options.api, hostname: this.options.hostname }, request, ctx);
  }

  async claim(request: ClaimRequest, ctx: ClaimContext): Promise<AddressOutcome[]> {
    const mac = request.mac.toLowerCase();
    await this.settlePendingTasks(request.addresses, ctx);

    const locateStarted = Date.now();
    // Look on our own vMAC first: the common "already here" case costs one request.
    const ours = await this.lists.get(mac, ctx.signal);
    const missing = request.addresses.filter((address) => ours?.includes(address) !== true);
    const holders = missing.length === 0 ? [] : await this.allHolders(ctx.signal, mac);
    const locateMs = Date.now() - locateStarted;

    const state = { ourVmacExists: ours !== null, creating: null as Promise<void> | null };
    return Promise.all(
      request.addresses.map(async (address): Promise<AddressOutcome> => {
        const steps: ClaimStep[] = [{ step: 'locate', ms: locateMs }];
        if (ours?.includes(address) === true) {
          ctx.log.info({ address, mac }, `${address} is already on ${mac}: nothing to do`);
          return { address, from: mac, result: 'already-here', steps };
        }
        const holder = holders.find((h) => h.addresses.includes(address)) ?? null;
        ctx.log.info({ address, holder: holder?.mac ?? null }, holder === null ? `${address} is on no vMAC` : `${address} is on ${holder.mac} (with ${holder.addresses.join(', ')})`);
        try {
          return await this.moveOne(address, holder, request, mac, state, ctx, steps);
        } catch (error) {
          const failure = deadlineAware(error, ctx.signal);
          const cancelled = isCarpOvhError(failure) && failure.isCanceled;
          return { address, from: holder?.mac ?? null, result: cancelled ? 'cancelled' : 'failed', steps, error: failure.toLogObject() };
        }
      }),
    );
  }

  private async moveOne(
    address: string,
    initialHolder: Holder | null,
    request: ClaimRequest,
    mac: string,
    state: { ourVmacExists: boolean; creating: Promise<void> | null },
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
        ctx.log.warn({ address, mac: holder.mac, taskId: waited.task.taskId, status: waited.task.status }, `detach task for ${address} ended ${waited.task.status}`);
        if (attempt >= 2) {
          throw new CarpOvhError(`OVH could not detach ${address} from ${holder.mac}: task ${waited.task.taskId} ended ${waited.task.status} twice`, { source: 'ovh' });
        }
        const now = (await this.allHolders(ctx.signal, mac)).find((h) => h.addresses.includes(address)) ?? null;
        const onOurs = (await this.lists.get(mac, ctx.signal))?.includes(address) === true;
        if (onOurs) return { address, from, result: 'moved', steps };
        if (now === null) break;
        holder = now;
      }
    }

    await this.attachUntilVisible(address, mac, vmName ?? this.options.hostname, state, ctx, steps);
    return { address, from, result: from === null ? 'attached' : 'moved', steps };
  }

  /** Submits the DELETE and waits until OVH no longer lists the address on that vMAC. */
  private async detach(address: string, holderMac: string, ctx: ClaimContext, steps: ClaimStep[]): Promise<WaitResult> {
    await ctx.guard();
    ctx.log.info({ address, mac: holderMac }, `Deleting ${address} from ${holderMac}`);
    const started = Date.now();
    const task = await this.submitDelete(address, holderMac, ctx);
    steps.push({ step: 'detach', ms: Date.now() - started, detail: task === null ? 'pending task already there' : `task ${task.taskId}` });
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
   * except on errors that trying again cannot fix (credentials, access rules).
   */
  private async attachUntilVisible(
    address: string,
    mac: string,
    vmName: string,
    state: { ourVmacExists: boolean; creating: Promise<void> | null },
    ctx: ClaimContext,
    steps: ClaimStep[],
  ): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await ctx.guard();
        const started = Date.now();
        let task: OvhTask | null;
        if (!state.ourVmacExists && state.creating === null) {
          // Our NIC has no vMAC yet: the first address creates it, the others wait for it.
          ctx.log.warn({ address, mac }, `${mac} is not a vMAC of ${this.options.server} yet: creating it with ${address}`);
          let created!: () => void;
          state.creating = new Promise<void>((resolve) => (created = resolve));
          task = await this.submit('POST', `${this.base}/virtualMac`, { ipAddress: address, type: 'ovh', virtualMachineName: vmName }, address, mac, 'attach', ctx);
          const result = await this.trackAttach(address, mac, task, started, ctx, steps);
          state.ourVmacExists = true;
          created();
          if (result.ok) return;
          throw new CarpOvhError(`OVH could not attach ${address} to ${mac}: task ${result.task.taskId} ended ${result.task.status}`, { source: 'ovh', retryable: true });
        }
        if (!state.ourVmacExists && state.creating !== null) await state.creating;
        ctx.log.info({ address, mac, vmName }, `Adding ${address} to ${mac}`);
        task = await this.submit('POST', `${this.base}/virtualMac/${mac}/virtualAddress`, { ipAddress: address, virtualMachineName: vmName }, address, mac, 'attach', ctx);
        const result = await this.trackAttach(address, mac, task, started, ctx, steps);
        if (result.ok) return;
        throw new CarpOvhError(`OVH could not attach ${address} to ${mac}: task ${result.task.taskId} ended ${result.task.status}`, { source: 'ovh', retryable: true });
      } catch (error) {
        if (!isCarpOvhError(error) || error.isCanceled || isAuthError(error) || ctx.signal.aborted) throw error;
        ctx.log.warn({ address, mac, attempt, err: error.toLogObject() }, `attaching ${address} to ${mac} failed (attempt ${attempt}); ${address} is detached, trying again`);
        const where = (await this.allHolders(ctx.signal)).find((h) => h.addresses.includes(address)) ?? null;
        if (where?.mac === mac) return;
        if (where !== null) {
          throw new CarpOvhError(`${address} is now on ${where.mac}, not detached: another router claimed it; stopping`, { source: 'claim' });
        }
        await sleep(this.options.pollIntervalMs, ctx.signal);
      }
    }
  }

  private async trackAttach(address: string, mac: string, task: OvhTask | null, started: number, ctx: ClaimContext, steps: ClaimStep[]): Promise<WaitResult> {
    steps.push({ step: 'attach', ms: Date.now() - started, detail: task === null ? 'pending task already there' : `task ${task.taskId}` });
    const waitStarted = Date.now();
    const result = await this.waitFor(mac, (list) => list?.includes(address) === true, task, ctx);
    if (task !== null) await this.options.journal.forget(address, task.taskId);
    const ms = Date.now() - waitStarted;
    steps.push({ step: 'wait-visible', ms });
    if (result.ok) ctx.log.info({ address, mac, waitedMs: ms }, `${address} attached to ${mac} after ${formatDuration(ms)}`);
    return result;
  }

  /**
   * A DELETE that failed in transit may still have been accepted, so sending it
   * again is only safe because OVH's answers tell: 409 means the first one is
   * pending (wait for it), 404 means it already went through.
   */
  private async submitDelete(address: string, holderMac: string, ctx: ClaimContext): Promise<OvhTask | null> {
    const path = `${this.base}/virtualMac/${holderMac}/virtualAddress/${address}`;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.submit('DELETE', path, undefined, address, holderMac, 'detach', ctx);
      } catch (error) {
        if (!isCarpOvhError(error)) throw error;
        if (attempt > 0 && error.status === 404) return null;
        if (!error.retryable || attempt >= this.options.retries) throw error;
        ctx.log.warn({ address, mac: holderMac, attempt: attempt + 1, err: error.toLogObject() }, `DELETE of ${address} failed in transit; sending it again`);
        await sleep(this.options.pollIntervalMs, ctx.signal);
        await ctx.guard();
      }
    }
  }

  /**
   * Sends a mutation. A 409 means OVH already has a task pending on this address
   * (ours, sent by a superseded claim whose answer was lost): waiting for the
   * result is right, sending again is not. Returns null in that case.
   */
  private async submit(
    method: 'POST' | 'DELETE',
    path: string,
    body: Record<string, unknown> | undefined,
    address: string,
    mac: string,
    op: 'detach' | 'attach',
    ctx: ClaimContext,
  ): Promise<OvhTask | null> {
    try {
      const task = asTask(await this.options.api.mutate(method, path, body, ctx.signal), `${method} ${path}`);
      this.lists.invalidate(mac);
      await this.options.journal.record({ address, taskId: task.taskId, mac, op, at: new Date().toISOString() });
      ctx.log.info({ address, mac, taskId: task.taskId }, `${method} accepted (task ${task.taskId})`);
      return task;
    } catch (error) {
      if (isCarpOvhError(error) && error.status === 409) {
        ctx.log.warn({ address, mac, err: error.toLogObject() }, `OVH has a task pending on ${address}: waiting for it instead of sending ${method} again`);
        return null;
      }
      throw error;
    }
  }

  private async waitFor(mac: string, done: (list: string[] | null) => boolean, task: OvhTask | null, ctx: ClaimContext): Promise<WaitResult> {
    const every = this.options.taskCheckEvery ?? 10;
    let taskReadable = true;
    for (let polls = 1; ; polls++) {
      await sleep(this.options.pollIntervalMs, ctx.signal);
      // Between polls a recent answer will do; mutations always ask afresh.
      await ctx.guard({ maxAgeMs: WAIT_GUARD_MAX_AGE_MS });
      // Every Nth poll reads the task instead of the list (to notice a task that
      // failed), so waiting costs one request per poll interval either way.
      if (taskReadable && task !== null && polls % every === 0) {
        let now: OvhTask | null = null;
        try {
          now = await this.readTask(task.taskId, ctx.signal);
        } catch (error) {
          if (!isCarpOvhError(error) || error.isCanceled || ctx.signal.aborted) throw error;
          // The task only tells a failure early; the address list is what proves
          // success. A task API that stays broken must not strand a detached VIP.
          taskReadable = false;
          ctx.log.warn({ mac, taskId: task.taskId, err: error.toLogObject() }, `cannot read task ${task.taskId}; waiting on the address list alone`);
        }
        if (now !== null) {
          const phase = taskPhase(now);
          if (phase === 'failed') return { ok: false, task: now };
          if (phase === 'pending') continue;
        }
      }
      if (done(await this.lists.get(mac, ctx.signal))) return { ok: true };
    }
  }

  /** Waits out tasks a previous (crashed or superseded) claim left pending, so nothing here collides with them. */
  private async settlePendingTasks(addresses: string[], ctx: ClaimContext): Promise<void> {
    const entries = (await this.options.journal.list()).filter((entry) => addresses.includes(entry.address));
    for (const entry of entries) {
      ctx.log.info({ address: entry.address, taskId: entry.taskId, op: entry.op }, `waiting for task ${entry.taskId} (${entry.op} of ${entry.address}) left by an earlier claim`);
      for (;;) {
        let task: OvhTask;
        try {
          task = await this.readTask(entry.taskId, ctx.signal);
        } catch (error) {
          if (isCarpOvhError(error) && error.status === 404) break;
          throw error;
        }
        if (taskPhase(task) !== 'pending') break;
        await sleep(this.options.pollIntervalMs, ctx.signal);
      }
      await this.options.journal.forget(entry.address, entry.taskId);
      this.lists.invalidate(entry.mac);
    }
  }

  private async readTask(taskId: number, signal: AbortSignal): Promise<OvhTask> {
    // OVH's task API answers 404/500 transiently on fresh tasks; Terraform retries those too.
    const value = await this.options.api.get(`${this.base}/task/${taskId}`, signal, (status) => status === 404 || status === 500);
    return asTask(value, `GET task/${taskId}`);
  }

  private async fetchList(mac: string, signal: AbortSignal): Promise<string[] | null> {
    try {
      return asStringList(await this.options.api.get(`${this.base}/virtualMac/${mac}/virtualAddress`, signal), `GET virtualMac/${mac}/virtualAddress`);
    } catch (error) {
      if (isCarpOvhError(error) && error.status === 404) return null;
      throw error;
    }
  }

  /** Every vMAC of the server with its addresses (but `skip`, already read). */
  private async allHolders(signal: AbortSignal, skip?: string): Promise<Holder[]> {
    const macs = asStringList(await this.options.api.get(`${this.base}/virtualMac`, signal), 'GET virtualMac').map((m) => m.toLowerCase());
    for (const mac of macs) {
      if (!MAC.test(mac)) throw new CarpOvhError(`OVH listed a vMAC that is not a MAC address: ${JSON.stringify(mac.slice(0, 40))}`, { source: 'ovh', badInput: true });
    }
    const lists = await Promise.all(macs.filter((mac) => mac !== skip).map(async (mac) => ({ mac, addresses: (await this.lists.get(mac, signal)) ?? [] })));
    return lists;
  }

  private async holderVmName(mac: string, address: string, signal: AbortSignal): Promise<string | null> {
    try {
      const detail = (await this.options.api.get(`${this.base}/virtualMac/${mac}/virtualAddress/${address}`, signal)) as { virtualMachineName?: unknown } | null;
      return typeof detail?.virtualMachineName === 'string' && detail.virtualMachineName !== '' ? detail.virtualMachineName : null;
    } catch (error) {
      if (signal.aborted) throw error;
      // The name is cosmetic: the hostname will do.
      return null;
    }
  }
}

/** Errors that no retry can fix: the peer should try with its own path to OVH. */
export function isAuthError(error: CarpOvhError): boolean {
  return error.status === 401 || error.status === 403 || error.errorCode === 'INVALID_SIGNATURE';
}
