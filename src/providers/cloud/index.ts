import type { FailoverEntry } from '../../config/types.ts';
import type { AddressOutcome, ClaimContext, ClaimRequest, ClaimStep, FailoverProvider, NeededCall as PortNeededCall } from '../../core/ports/index.ts';
import { formatDuration } from '../../duration.ts';
import { CarpOvhError, deadlineAware, isCarpOvhError } from '../../errors.ts';
import { sleep } from '../../sleep.ts';
import type { OvhApi } from '../ovh/api.ts';
import type { OvhProviderContext } from '../ovh/provider-module.ts';
import { missingRules, neededCalls } from './access.ts';
import { asFailoverIp, asFailoverIps, asInstances, type FailoverIp, type Instance } from './answers.ts';

/**
 * OVH Public Cloud failover IPs (`via: cloud`): the IP is routed to one instance of
 * the project; `POST …/ip/failover/{id}/attach {instanceId}` moves it atomically (no
 * detach step), `status` is `operationPending` while it moves. Done when `routedTo`
 * is our instance and `status` is `ok`.
 */

export interface CloudOptions {
  project: string;
  /** This router's instance, by id or name. */
  instance: string;
  api: OvhApi;
  pollIntervalMs: number;
}

export interface CloudPlacement {
  address: string;
  /** The instance id OVH routes the address to; null when the project has no such failover IP. */
  holder: string | null;
  where: string;
  here: boolean;
}

export interface PlannedCall {
  address: string;
  from: string | null;
  to: string;
  method: 'POST';
  path: string;
  body: { instanceId: string };
}

export interface CloudCheck {
  id: string;
  group: 'ovh';
  status: 'pass' | 'warn' | 'fail' | 'skip';
  title: string;
  detail: string;
  fix?: string;
}

const WAIT_GUARD_MAX_AGE_MS = 250;
const PROJECT = /^[A-Za-z0-9_-]{1,64}$/;

function isAuthError(error: CarpOvhError): boolean {
  return error.status === 401 || error.status === 403 || error.errorCode === 'INVALID_SIGNATURE';
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class CloudProvider {
  readonly #options: CloudOptions;
  readonly #base: string;
  #instance: Promise<Instance> | null = null;
  #mayAttach: Promise<void> | null = null;

  constructor(options: CloudOptions) {
    if (!PROJECT.test(options.project)) {
      throw new CarpOvhError(`failover[].project must be a Public Cloud project id, got ${JSON.stringify(options.project.slice(0, 70))}`, {
        source: 'config',
        badInput: true,
      });
    }
    if (options.instance === '' || /[\u0000-\u001f/]/.test(options.instance)) {
      throw new CarpOvhError(`failover[].instance must be an instance name or id, got ${JSON.stringify(options.instance.slice(0, 70))}`, {
        source: 'config',
        badInput: true,
      });
    }
    this.#options = options;
    this.#base = `/cloud/project/${options.project}`;
  }

  /** Our instance, looked up once per run (by id first, then by name). */
  instance(signal: AbortSignal): Promise<Instance> {
    this.#instance ??= this.#findInstance(signal).catch((error: unknown) => {
      this.#instance = null;
      throw error;
    });
    return this.#instance;
  }

  async #findInstance(signal: AbortSignal): Promise<Instance> {
    const call = `GET ${this.#base}/instance`;
    const instances = asInstances(await this.#options.api.get(`${this.#base}/instance`, signal), call);
    const wanted = this.#options.instance;
    const byId = instances.find((i) => i.id === wanted);
    if (byId !== undefined) return byId;
    const byName = instances.filter((i) => i.name === wanted);
    if (byName.length === 1 && byName[0] !== undefined) return byName[0];
    if (byName.length > 1) {
      throw new CarpOvhError(
        `${byName.length} instances of project ${this.#options.project} are named ${wanted}: set failover[].instance to the id (${byName.map((i) => i.id).join(', ')})`,
        { source: 'claim' },
      );
    }
    throw new CarpOvhError(
      `project ${this.#options.project} has no instance named or with id ${wanted} (${instances.length} instances listed): correct failover[].instance`,
      { source: 'claim' },
    );
  }

  async #list(signal: AbortSignal): Promise<FailoverIp[]> {
    return asFailoverIps(await this.#options.api.get(`${this.#base}/ip/failover`, signal), `GET ${this.#base}/ip/failover`);
  }

  async locate(addresses: string[], options: { signal?: AbortSignal } = {}): Promise<CloudPlacement[]> {
    const signal = options.signal ?? new AbortController().signal;
    const [list, ours] = await Promise.all([this.#list(signal), this.instance(signal)]);
    return addresses.map((address) => {
      const fip = list.find((f) => f.ip === address);
      if (fip === undefined) return { address, holder: null, where: `not a failover IP of project ${this.#options.project}`, here: false };
      const pending = fip.status === 'operationPending' ? ' (operationPending)' : '';
      return { address, holder: fip.routedTo, where: `instance ${fip.routedTo}${pending}`, here: fip.routedTo === ours.id && fip.status === 'ok' };
    });
  }

  /** Proves the move can finish here before any mutation: our instance exists, every address is a failover IP of the project, the key may attach. */
  async preflight(request: ClaimRequest, ctx: Pick<ClaimContext, 'signal'>): Promise<void> {
    await this.instance(ctx.signal);
    const list = await this.#list(ctx.signal);
    const unknown = request.addresses.filter((address) => !list.some((f) => f.ip === address));
    if (unknown.length > 0) {
      throw new CarpOvhError(
        `${unknown.join(', ')} ${unknown.length === 1 ? 'is not a failover IP' : 'are not failover IPs'} of project ${this.#options.project}: correct failover[].addresses or failover[].project`,
        { source: 'claim' },
      );
    }
    this.#mayAttach ??= this.#checkMayAttach(ctx.signal).catch((error: unknown) => {
      this.#mayAttach = null;
      throw error;
    });
    await this.#mayAttach;
  }

  async #checkMayAttach(signal: AbortSignal): Promise<void> {
    const credential = (await this.#options.api.get('/auth/currentCredential', signal)) as { rules?: unknown } | null;
    const rules = Array.isArray(credential?.rules) ? (credential.rules as Array<{ method?: unknown; path?: unknown }>) : null;
    // A key whose rules OVH does not list is given the benefit of the doubt; the attach tells.
    if (rules === null) return;
    const missing = missingRules(rules, neededCalls(this.#options.project));
    if (missing.length > 0) {
      throw new CarpOvhError(
        `the OVH consumer key may not ${missing.map((m) => `${m.method} ${m.path}`).join(', ')}: create a key with the rules ${missing.map((m) => m.rule).join(', ')} (docs/operations.md)`,
        {
          source: 'ovh',
          errorCode: 'NOT_GRANTED_CALL',
          status: 403,
        },
      );
    }
  }

  async plan(request: ClaimRequest, ctx: Pick<ClaimContext, 'signal'>): Promise<PlannedCall[]> {
    await this.preflight(request, ctx);
    const [ours, list] = await Promise.all([this.instance(ctx.signal), this.#list(ctx.signal)]);
    return request.addresses.flatMap((address): PlannedCall[] => {
      const fip = list.find((f) => f.ip === address);
      if (fip === undefined || (fip.routedTo === ours.id && fip.status === 'ok')) return [];
      return [{ address, from: fip.routedTo, to: ours.id, method: 'POST', path: `${this.#base}/ip/failover/${fip.id}/attach`, body: { instanceId: ours.id } }];
    });
  }

  async claim(request: ClaimRequest, ctx: ClaimContext): Promise<AddressOutcome[]> {
    const started = Date.now();
    let ours: Instance;
    let list: FailoverIp[];
    try {
      await this.preflight(request, ctx);
      [ours, list] = await Promise.all([this.instance(ctx.signal), this.#list(ctx.signal)]);
    } catch (error) {
      const failure = deadlineAware(error, ctx.signal);
      ctx.log.error({ err: failure.toLogObject() }, `cloud preflight failed, nothing was changed at OVH: ${failure.message}`);
      return request.addresses.map((address) => ({
        address,
        from: null,
        result: failure.isCanceled ? 'cancelled' : 'failed',
        steps: [],
        error: failure.toLogObject(),
      }));
    }
    const locateMs = Date.now() - started;
    return Promise.all(
      request.addresses.map(async (address): Promise<AddressOutcome> => {
        const steps: ClaimStep[] = [{ step: 'locate', ms: locateMs }];
        const fip = list.find((f) => f.ip === address) as FailoverIp;
        const from = fip.routedTo;
        if (fip.routedTo === ours.id && fip.status === 'ok') {
          ctx.log.info({ address, instance: ours.id }, `${address} is already routed to this instance (${ours.name}): nothing to do`);
          return { address, from, result: 'already-here', steps };
        }
        try {
          await this.#attachUntilHere(fip, ours, ctx, steps);
          return { address, from, result: from === ours.id ? 'attached' : 'moved', steps };
        } catch (error) {
          const failure = deadlineAware(error, ctx.signal);
          return { address, from, result: failure.isCanceled ? 'cancelled' : 'failed', steps, error: failure.toLogObject() };
        }
      }),
    );
  }

  /** Reads one failover IP back through the list: the same access rule as locate, one request either way. */
  async #read(fip: FailoverIp, signal: AbortSignal): Promise<FailoverIp> {
    const now = (await this.#list(signal)).find((f) => f.id === fip.id);
    if (now === undefined) throw new CarpOvhError(`failover IP ${fip.ip} (${fip.id}) is no longer in project ${this.#options.project}`, { source: 'ovh' });
    return now;
  }

  async #waitWhilePending(fip: FailoverIp, ctx: ClaimContext): Promise<FailoverIp> {
    let now = fip;
    while (now.status === 'operationPending') {
      await sleep(this.#options.pollIntervalMs, ctx.signal);
      await ctx.guard({ maxAgeMs: WAIT_GUARD_MAX_AGE_MS });
      now = await this.#read(fip, ctx.signal);
    }
    return now;
  }

  /**
   * Attach, then wait for OVH to show it here. Any answer the claim did not expect
   * (4xx, 5xx, a reset after sending, a body of the wrong shape) leaves the outcome
   * unknown: read the failover IP back and go on from what OVH shows. A 400 (seen as
   * "instance IP not allocated yet" right after an instance starts) is tried again
   * until the deadline; so is an operation that ended elsewhere. Errors no retry can
   * fix (credentials, access rules) end the claim at once.
   */
  async #attachUntilHere(initial: FailoverIp, ours: Instance, ctx: ClaimContext, steps: ClaimStep[]): Promise<void> {
    const address = initial.ip;
    const path = `${this.#base}/ip/failover/${initial.id}/attach`;
    let now = initial;
    for (let attempt = 1; ; attempt++) {
      if (now.status === 'operationPending') {
        const waitStarted = Date.now();
        ctx.log.info({ address, routedTo: now.routedTo }, `an operation is pending on ${address}: waiting for it`);
        now = await this.#waitWhilePending(now, ctx);
        steps.push({ step: 'wait-pending', ms: Date.now() - waitStarted });
      }
      if (now.routedTo === ours.id) {
        ctx.log.info({ address, instance: ours.id }, `${address} is routed to this instance (${ours.name})`);
        return;
      }
      await ctx.guard();
      ctx.log.info({ address, from: now.routedTo, instance: ours.id, attempt }, `Attaching ${address} to instance ${ours.name} (${ours.id})`);
      const sent = Date.now();
      let answered: FailoverIp | null = null;
      try {
        answered = asFailoverIp(await this.#options.api.mutate('POST', path, { instanceId: ours.id }, ctx.signal), `POST ${path}`);
        steps.push({ step: 'attach', ms: Date.now() - sent, detail: `attempt ${attempt}` });
      } catch (error) {
        steps.push({ step: 'attach', ms: Date.now() - sent, detail: `attempt ${attempt}: ${errorText(error)}` });
        if (!isCarpOvhError(error) || error.isCanceled || ctx.signal.aborted) throw error;
        if (isAuthError(error)) throw error;
        const how =
          error.status === 400
            ? 'OVH refused it (400), which it does while the instance IP is not allocated yet'
            : error.status === 409
              ? 'an operation is already pending on it (409)'
              : 'the answer leaves the outcome unknown';
        ctx.log.warn({ address, attempt, err: error.toLogObject() }, `attach of ${address}: ${how}; reading it back`);
      }
      const waitStarted = Date.now();
      // Read back what OVH shows, whatever the answer said.
      if (answered === null || answered.status === 'operationPending' || answered.routedTo !== ours.id) {
        now = await this.#read(initial, ctx.signal);
      } else {
        now = answered;
      }
      if (now.status === 'operationPending') now = await this.#waitWhilePending(now, ctx);
      if (now.routedTo === ours.id) {
        const ms = Date.now() - waitStarted;
        steps.push({ step: 'wait-visible', ms });
        ctx.log.info({ address, instance: ours.id, waitedMs: ms }, `${address} routed to instance ${ours.name} after ${formatDuration(Date.now() - sent)}`);
        return;
      }
      ctx.log.warn({ address, routedTo: now.routedTo, attempt }, `${address} is still routed to ${now.routedTo}; trying again`);
      await sleep(this.#options.pollIntervalMs, ctx.signal);
    }
  }

  /** The calls a claim makes, each with the rule that grants it: doctor's `ovh.grants` checks the key against them. */
  neededCalls(): PortNeededCall[] {
    return neededCalls(this.#options.project).map(({ method, path, rule }) => ({ method, path, rule }));
  }

  /** Doctor's view of this entry: our instance and each address (the key's rules are doctor's `ovh.grants`, from neededCalls). */
  async doctorChecks(addresses: readonly string[], signal: AbortSignal): Promise<CloudCheck[]> {
    const checks: CloudCheck[] = [];
    const add = (id: string, status: CloudCheck['status'], title: string, detail: string, fix?: string) =>
      checks.push({ id, group: 'ovh', status, title, detail, ...(fix === undefined ? {} : { fix }) });
    const project = this.#options.project;
    let ours: Instance | null = null;
    try {
      ours = await this.instance(signal);
      add(
        `ovh.instance:${project}`,
        ours.status === 'ACTIVE' ? 'pass' : 'warn',
        `instance ${this.#options.instance}`,
        `${ours.name} (${ours.id}), ${ours.status}`,
        ours.status === 'ACTIVE' ? undefined : 'an instance that is not ACTIVE cannot take traffic.',
      );
    } catch (error) {
      add(
        `ovh.instance:${project}`,
        'fail',
        `instance ${this.#options.instance}`,
        errorText(error),
        "set failover[].instance to this instance's name or id (GET /cloud/project/{project}/instance).",
      );
    }
    try {
      const placements = await this.locate([...addresses], { signal });
      for (const p of placements) {
        if (p.holder === null)
          add(`placement.vip:${p.address}`, 'fail', `${p.address} in project ${project}`, p.where, 'correct failover[].addresses or failover[].project.');
        else add(`placement.vip:${p.address}`, 'pass', `${p.address} in project ${project}`, `routed to ${p.where}${p.here ? ' (this instance)' : ''}`);
      }
    } catch (error) {
      if (ours !== null)
        add(`ovh.read:cloud:${project}`, 'fail', `failover IPs of project ${project}`, errorText(error), 'add the rule GET /cloud/project/*/ip/failover.');
    }
    return checks;
  }
}
const perContext = new WeakMap<OvhProviderContext, Map<string, CloudProvider>>();

/**
 * The wiring's entry point (src/cli/wiring/adapters.ts): the provider for one
 * `via: cloud` entry. Entries naming the same project and instance share one, so
 * the instance is looked up once per run.
 */
export function createProvider(entry: FailoverEntry, ctx: OvhProviderContext): FailoverProvider {
  if (entry.project === undefined || entry.instance === undefined) {
    throw new CarpOvhError(`failover entry ${entry.interface}: via cloud needs project and instance`, { source: 'config', badInput: true });
  }
  let providers = perContext.get(ctx);
  if (providers === undefined) {
    providers = new Map();
    perContext.set(ctx, providers);
  }
  const key = `${entry.project}\n${entry.instance}`;
  let provider = providers.get(key);
  if (provider === undefined) {
    provider = new CloudProvider({ project: entry.project, instance: entry.instance, api: ctx.api, pollIntervalMs: ctx.config.ovh.pollIntervalMs });
    providers.set(key, provider);
  }
  return provider;
}
