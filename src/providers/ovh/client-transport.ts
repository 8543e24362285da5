import type { ClientRequest, IncomingHttpHeaders, IncomingMessage, RequestOptions } from 'node:http';
import https from 'node:https';
import { createSecureContext, getCACertificates } from 'node:tls';
import { CarpOvhError } from '../../errors.ts';
import { abortError, type CallLabel, networkError, timeoutError } from './client-errors.ts';

/** The parts of a node-ovh 2.0.3 client instance this adapter relies on. */
export interface NodeOvh {
  request(method: string, path: string, params: Record<string, unknown>, callback: (error: unknown, result?: unknown) => void): void;
  signRequest(method: string, url: string, body: string, timestamp: number): string;
  /** Checked with `=== null` before every call: null makes the client fetch /auth/time first, asynchronously. */
  apiTimeDiff: number | null;
  consumerKey: string | null;
  host: string;
  port: number;
  basePath: string;
}

export interface RawAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * One keep-alive agent per adapter, trusting the default roots plus the
 * configured CA. One secure context is built up front so that each new
 * connection does not parse the whole root store again.
 */
export function createAgent(caPem: string | undefined): https.Agent {
  // Explicit, so NODE_TLS_REJECT_UNAUTHORIZED=0 in the environment cannot turn it off
  // (it would hand the consumer key to whoever answers); ovh.ca is the way to trust a CA.
  if (caPem === undefined) return new https.Agent({ keepAlive: true, rejectUnauthorized: true });
  const secureContext = createSecureContext({ ca: [...getCACertificates('default'), caPem] });
  return new https.Agent({ keepAlive: true, rejectUnauthorized: true, secureContext });
}

type RequestFn = (options: RequestOptions, callback?: (res: IncomingMessage) => void) => ClientRequest;

/**
 * node-ovh 2.0.3 builds a fresh options object and calls `https.request(options,
 * cb)` on the shared `https` module: it takes no agent, no CA and no signal.
 * Its `request()` reaches that call synchronously once `apiTimeDiff` is set
 * (this adapter always sets it first), so the least invasive hook is to swap
 * `https.request` for exactly that synchronous stretch and restore it in
 * `finally`. Nothing else can run in between, nothing global outlives the
 * call, and the global agent is never touched. The swap adds this adapter's
 * agent and hands back the ClientRequest, so the adapter reads the raw answer
 * (status, X-Ovh-QueryID, errorCode, any 2xx) and owns timeout and abort.
 */
function startThroughClient(
  lib: NodeOvh,
  agent: https.Agent,
  method: string,
  path: string,
  params: Record<string, unknown>,
): ClientRequest {
  const mod = https as unknown as { request: RequestFn };
  const original = mod.request;
  let captured: ClientRequest | undefined;
  mod.request = (options, callback) => {
    const req = original.call(https, { ...options, agent }, callback);
    if (needsOwnSignature(lib, path)) signWhenSent(req, lib, method, `https://${String(options.host)}${String(options.path)}`);
    captured = req;
    return req;
  };
  try {
    // The client's own callback is lossy (drops errorCode and the query ID,
    // rejects 2xx other than 200); the adapter reads the response itself.
    lib.request(method, path, params, () => undefined);
  } finally {
    mod.request = original;
  }
  if (captured === undefined) {
    throw new CarpOvhError(`OVH API ${method} ${path}: the ovh client did not start the request synchronously`, {
      source: 'internal',
    });
  }
  return captured;
}

/** node-ovh leaves any path containing `/auth` unsigned (meant for /auth/time and /auth/credential). */
function needsOwnSignature(lib: NodeOvh, path: string): boolean {
  return typeof lib.consumerKey === 'string' && path.includes('/auth') && path !== '/auth/time';
}

/**
 * Signs with the client's own signRequest once the body is known: headers go
 * out with the first write, so writes are held until end().
 */
function signWhenSent(req: ClientRequest, lib: NodeOvh, method: string, url: string): void {
  const write = req.write.bind(req) as (chunk: string) => boolean;
  const end = req.end.bind(req) as (...args: unknown[]) => ClientRequest;
  let body = '';
  req.write = ((chunk: unknown) => {
    body += String(chunk);
    return true;
  }) as ClientRequest['write'];
  req.end = ((...args: unknown[]) => {
    const timestamp = Math.round(Date.now() / 1000) + (lib.apiTimeDiff ?? 0);
    req.setHeader('X-Ovh-Timestamp', String(timestamp));
    req.setHeader('X-Ovh-Consumer', lib.consumerKey ?? '');
    req.setHeader('X-Ovh-Signature', lib.signRequest(method, url, body, timestamp));
    if (body !== '') write(body);
    return end(...args);
  }) as ClientRequest['end'];
}

export interface ExchangeOptions {
  timeoutMs: number;
  signal: AbortSignal | undefined;
  /** `host:port`, for messages. */
  where: string;
  onStart: () => void;
}

/**
 * One HTTP exchange with a deadline. Listeners go on the request and the
 * response (both per call), never on the socket: keep-alive sockets are
 * reused and would gather them (node-ovh's own `timeout` does exactly that).
 */
export function exchange(
  lib: NodeOvh,
  agent: https.Agent,
  call: CallLabel,
  params: Record<string, unknown>,
  options: ExchangeOptions,
): Promise<RawAnswer> {
  return new Promise<RawAnswer>((resolve, reject) => {
    const { signal } = options;
    let req: ClientRequest | undefined;
    let done = false;
    const finish = (outcome: () => void): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      outcome();
    };
    const onAbort = (): void =>
      finish(() => {
        reject(abortError(call, signal?.reason));
        req?.destroy();
      });
    const timer = setTimeout(
      () =>
        finish(() => {
          reject(timeoutError(call, options.timeoutMs));
          req?.destroy();
        }),
      options.timeoutMs,
    );
    if (signal?.aborted === true) {
      onAbort();
      return;
    }
    signal?.addEventListener('abort', onAbort, { once: true });

    try {
      req = startThroughClient(lib, agent, call.method, call.path, params);
    } catch (error) {
      finish(() =>
        reject(
          error instanceof CarpOvhError
            ? error
            : new CarpOvhError(`OVH API ${call.method} ${call.path}: request rejected before sending`, {
                source: 'ovh',
                badInput: true,
                errorCode: (error as { code?: string } | null)?.code ?? 'ERR_INVALID_REQUEST',
                cause: error,
              }),
        ),
      );
      return;
    }
    options.onStart();
    req.on('error', (error) => finish(() => reject(networkError(call, error, options.where))));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer | string) => chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk)));
      res.on('end', () =>
        finish(() => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') })),
      );
      res.on('error', (error) => finish(() => reject(networkError(call, error, options.where))));
      res.on('close', () => {
        if (!res.complete) {
          const cut = Object.assign(new Error('connection closed before the answer was complete'), { code: 'ECONNRESET' });
          finish(() => reject(networkError(call, cut, options.where)));
        }
      });
    });
  });
}
