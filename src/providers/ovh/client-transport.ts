import type { ClientRequest, IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import { createSecureContext, getCACertificates } from 'node:tls';
import { CarpOvhError } from '../../errors.ts';
import { abortError, type CallLabel, networkError, timeoutError } from './client-errors.ts';
import type { OutgoingRequest, RequestTarget } from './client-request.ts';

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

export interface ExchangeOptions {
  timeoutMs: number;
  signal: AbortSignal | undefined;
  /** `host:port`, for messages. */
  where: string;
  onStart: () => void;
}

/**
 * One HTTP exchange with a deadline, on this adapter's agent: the status, the
 * X-Ovh-QueryID and the body are read here, so nothing node-ovh's callback
 * drops (errorCode, the query ID, a 2xx other than 200) is lost. Listeners go
 * on the request and the response (both per call), never on the socket:
 * keep-alive sockets are reused and would gather them (node-ovh's own
 * `timeout` does exactly that).
 */
export function exchange(
  agent: https.Agent,
  target: RequestTarget,
  call: CallLabel,
  build: () => OutgoingRequest,
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
      // Built only now, so that the signed timestamp is the moment of sending.
      const outgoing = build();
      req = https.request({ host: target.host, port: target.port, method: call.method, path: outgoing.path, headers: outgoing.headers, agent });
      req.end(outgoing.body ?? undefined);
    } catch (error) {
      // node refuses a path or header it cannot send (ERR_UNESCAPED_CHARACTERS, ERR_INVALID_CHAR).
      finish(() =>
        reject(
          new CarpOvhError(`OVH API ${call.method} ${call.path}: request rejected before sending`, {
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
      res.on('end', () => finish(() => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') })));
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
