import { raceAbort } from '../../abort.ts';
import { readFileSync } from 'node:fs';
import type { Agent } from 'node:https';
import type { OvhCredentials } from '../../core/ports/index.ts';
import { CarpOvhError } from '../../errors.ts';
import { abortError, type CallLabel, httpError, malformedError } from './client-errors.ts';
import { resolveApiRoot } from './client-root.ts';
import { buildRequest, type OvhSigner, type RequestTarget } from './client-request.ts';
import { ovhSigner } from './client-sign.ts';
import type { RawAnswer } from './client-transport.ts';

/**
 * The one door to the OVH API: node-ovh's table names the endpoints, and each
 * call is signed as OVH documents it (client-sign.ts); this adapter builds and
 * sends the request on its own keep-alive agent (CA included), owns the
 * deadline and cancellation, and turns every failure into one CarpOvhError
 * carrying status, errorCode and X-Ovh-QueryID.
 */

export type OvhMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface OvhClientOptions {
  /** A node-ovh endpoint name: ovh-eu, ovh-ca, ovh-us… */
  endpoint?: string;
  /** A custom API root, `https://host[:port]/1.0`. Exactly one of endpoint and url. */
  url?: string;
  /** PEM file of an extra CA to trust for this client only. */
  ca?: string;
  /** Deadline of each HTTP exchange, connection included. */
  timeoutMs: number;
  credentials: OvhCredentials;
  /**
   * Awaited before every HTTP request, /auth/time included: where the rate
   * limit plugs in, so that what OVH counts is what carp-ovh counts.
   */
  beforeSend?: (signal: AbortSignal | undefined) => Promise<void>;
  /** Told each request's HTTP status once its answer has arrived; null when none did (timeout, reset, refused). */
  onAnswer?: (method: OvhMethod, status: number | null) => void;
}

export interface OvhRequestOptions {
  signal?: AbortSignal;
}

export interface OvhClient {
  /**
   * `path` is below the API root (`/dedicated/server`). For POST/PUT `body` is
   * the JSON body; for GET/DELETE node-ovh turns it into the query string.
   * Resolves with the parsed JSON (null for an empty body) of any 2xx.
   */
  request<T = unknown>(method: OvhMethod, path: string, body?: Record<string, unknown>, options?: OvhRequestOptions): Promise<T>;
  /** Server time minus local time, in seconds, measured now with /auth/time. */
  clockOffset(options?: OvhRequestOptions): Promise<number>;
  /** HTTP requests sent so far, /auth/time included (OVH advises staying under ~60 a minute). */
  readonly requestCount: number;
  /** `https://eu.api.ovh.com/1.0`, for logs and doctor. */
  readonly apiRoot: string;
  /** Closes idle keep-alive connections. */
  close(): void;
}

const METHODS: ReadonlySet<string> = new Set(['GET', 'POST', 'PUT', 'DELETE']);

function readCa(file: string): string {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'unreadable';
    throw new CarpOvhError(`ovh.ca: cannot read ${file} (${code})`, { source: 'config', badInput: true, file, cause: error });
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new CarpOvhError(`ovh.ca: ${file} holds no PEM certificate`, { source: 'config', badInput: true, file });
  }
  return pem;
}

function checkOptions(options: OvhClientOptions): void {
  if (!Number.isFinite(options.timeoutMs) || options.timeoutMs <= 0) {
    throw new CarpOvhError('ovh: timeoutMs must be a positive number of milliseconds', { source: 'config', badInput: true });
  }
  const { applicationKey, applicationSecret, consumerKey } = options.credentials;
  const missing = Object.entries({ application_key: applicationKey, application_secret: applicationSecret, consumer_key: consumerKey })
    .filter(([, value]) => typeof value !== 'string' || value === '')
    .map(([name]) => name);
  if (missing.length > 0) {
    throw new CarpOvhError(`OVH credentials incomplete: ${missing.join(', ')} missing`, { source: 'secrets', badInput: true });
  }
}

function interpret<T>(call: CallLabel, raw: RawAnswer): T {
  const header = raw.headers['x-ovh-queryid'];
  const queryId = Array.isArray(header) ? header[0] : header;
  if (raw.status < 200 || raw.status >= 300) throw httpError(call, raw.status, raw.body, queryId);
  if (raw.body.trim() === '') return null as T;
  try {
    return JSON.parse(raw.body) as T;
  } catch (error) {
    throw malformedError(call, raw.status, queryId, error instanceof Error ? error.message : 'not JSON');
  }
}

export function createOvhClient(options: OvhClientOptions): OvhClient {
  checkOptions(options);
  const root = resolveApiRoot({ endpoint: options.endpoint, url: options.url });
  const caPem = options.ca === undefined ? undefined : readCa(options.ca);
  const { credentials, timeoutMs } = options;
  const secrets = [credentials.applicationSecret, credentials.consumerKey];
  const where = `${root.host}:${root.port}`;

  const target: RequestTarget = {
    host: root.host,
    port: root.port,
    basePath: root.basePath,
    applicationKey: credentials.applicationKey,
    consumerKey: credentials.consumerKey,
  };

  const signer: OvhSigner = ovhSigner(credentials.applicationSecret, credentials.consumerKey);
  let agent: Agent | undefined;
  let transport: typeof import('./client-transport.ts') | undefined;
  /** null until measured, and again once OVH refused a signature: the next call measures first. */
  let offsetSec: number | null = null;
  /** What calls already under way sign with while the offset is measured again. */
  let lastOffsetSec = 0;
  let offsetInFlight: Promise<number> | null = null;
  let count = 0;

  async function load(): Promise<{ agent: Agent; transport: typeof import('./client-transport.ts') }> {
    transport ??= await import('./client-transport.ts');
    // Made again after close(): one client serves a long-running loop.
    agent ??= transport.createAgent(caPem);
    return { agent, transport };
  }

  async function send(method: OvhMethod, path: string, params: Record<string, unknown>, signal: AbortSignal | undefined): Promise<RawAnswer> {
    const loaded = await load();
    await options.beforeSend?.(signal);
    const call: CallLabel = { method, path, secrets };
    const build = () => buildRequest(signer, target, method, path, params, lastOffsetSec);
    let started = false;
    try {
      const raw = await loaded.transport.exchange(loaded.agent, target, call, build, {
        timeoutMs,
        signal,
        where,
        onStart: () => {
          started = true;
          count += 1;
        },
      });
      options.onAnswer?.(method, raw.status);
      return raw;
    } catch (error) {
      if (started) options.onAnswer?.(method, null);
      throw error;
    }
  }

  async function measureOffset(signal: AbortSignal | undefined): Promise<number> {
    const call: CallLabel = { method: 'GET', path: '/auth/time', secrets };
    const serverTime = interpret<unknown>(call, await send('GET', '/auth/time', {}, signal));
    if (typeof serverTime !== 'number' || !Number.isFinite(serverTime)) {
      throw malformedError(call, 200, undefined, 'not a number of seconds');
    }
    // node-ovh's rule: offset = server time - round(now), and a call is signed at round(now) + offset.
    const offset = serverTime - Math.round(Date.now() / 1000);
    offsetSec = offset;
    lastOffsetSec = offset;
    return offset;
  }

  /** One /auth/time per client, shared by concurrent first calls. */
  async function ensureOffset(call: CallLabel, signal: AbortSignal | undefined): Promise<void> {
    if (offsetSec !== null) return;
    offsetInFlight ??= measureOffset(undefined).finally(() => {
      offsetInFlight = null;
    });
    await raceAbort(offsetInFlight, signal, () => abortError(call, signal?.reason));
  }

  return {
    apiRoot: root.url,
    get requestCount() {
      return count;
    },
    async request<T>(method: OvhMethod, path: string, body?: Record<string, unknown>, requestOptions?: OvhRequestOptions): Promise<T> {
      if (!METHODS.has(method) || typeof path !== 'string' || !path.startsWith('/') || /\s/.test(path)) {
        throw new CarpOvhError(`OVH API: invalid call ${String(method)} ${String(path)}`, { source: 'ovh', badInput: true });
      }
      const signal = requestOptions?.signal;
      const call: CallLabel = { method, path, secrets };
      if (signal?.aborted === true) throw abortError(call, signal.reason);
      if (path !== '/auth/time') await ensureOffset(call, signal);
      const raw = await send(method, path, { ...body }, signal);
      try {
        return interpret<T>(call, raw);
      } catch (error) {
        // A clock stepped since the offset was measured: measure again on the next call.
        if (error instanceof CarpOvhError && error.errorCode === 'INVALID_SIGNATURE') offsetSec = null;
        throw error;
      }
    },
    async clockOffset(requestOptions?: OvhRequestOptions): Promise<number> {
      return measureOffset(requestOptions?.signal);
    },
    close() {
      agent?.destroy();
      agent = undefined;
    },
  };
}
