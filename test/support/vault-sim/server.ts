import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { SimClock } from './clock.ts';
import type { FaultSet } from './faults.ts';
import { errorAnswer, type Answer } from './responses.ts';
import type { RequestLogEntry } from './types.ts';
import type { VaultApi } from './vault-api.ts';

export interface ServerDeps {
  api: VaultApi;
  faults: FaultSet;
  clock: SimClock;
  latencyMs: number;
  tls: { cert: Buffer; key: Buffer };
}

const MAX_BODY = 1 << 20;

/**
 * The HTTPS side: faults first (they model the network and proxies in front of
 * Vault), then latency, then the API. Logs method, path and status only.
 */
export class SimServer {
  readonly requests: RequestLogEntry[] = [];
  requestCount = 0;
  readonly #deps: ServerDeps;
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  readonly #sleepers = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  #closed = false;

  constructor(deps: ServerDeps) {
    this.#deps = deps;
    this.#server = createServer({ ...deps.tls }, (req, res) => {
      this.#onRequest(req, res).catch(() => {
        if (!res.headersSent && !res.destroyed) send(res, errorAnswer(500, 'internal error'));
      });
    });
    this.#server.on('connection', (socket: Socket) => {
      socket.on('error', () => {});
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
    });
    this.#server.on('tlsClientError', () => {});
  }

  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(0, '127.0.0.1', () => {
        const address = this.#server.address();
        if (address === null || typeof address === 'string') reject(new Error('vault-sim: no port'));
        else resolve(address.port);
      });
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const sleeper of this.#sleepers) {
      clearTimeout(sleeper.timer);
      sleeper.resolve();
    }
    this.#sleepers.clear();
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const socket of this.#sockets) socket.destroy();
    await closed;
  }

  async #onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.requestCount += 1;
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const method = (req.method ?? 'GET').toUpperCase();
    const namespace = header(req, 'x-vault-namespace');
    const log = (status: number, fault: RequestLogEntry['fault']): void => {
      this.requests.push({ method, path: url.pathname, status, namespace, fault, at: this.#deps.clock.elapsedReal() });
    };

    const raw = await readBody(req);
    let faultKind: RequestLogEntry['fault'] = null;
    const rule = this.#deps.faults.take(method, url.pathname);
    if (rule !== null) {
      rule.onMatch?.();
      if (rule.delayMs !== undefined && rule.delayMs > 0) {
        faultKind = 'delay';
        await this.#sleep(rule.delayMs);
      }
      if (this.#closed) return;
      if (rule.stall === true) {
        // Left unanswered on purpose; close() destroys the socket.
        log(0, 'stall');
        return;
      }
      if (rule.drop === true) {
        log(0, 'drop');
        req.socket.destroy();
        return;
      }
      if (rule.malformed === true) {
        const status = rule.status ?? 200;
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end('{"request_id":"5f1c","data":{"data":{"application_key":');
        log(status, 'malformed');
        return;
      }
      if (rule.status !== undefined) {
        if (typeof rule.body === 'string') {
          // A proxy's error page, not Vault's JSON.
          res.writeHead(rule.status, { 'content-type': 'text/html' });
          res.end(rule.body);
        } else {
          send(res, { status: rule.status, body: rule.body ?? { errors: ['simulated fault'] } });
        }
        log(rule.status, 'status');
        return;
      }
    }
    if (this.#deps.latencyMs > 0) await this.#sleep(this.#deps.latencyMs);
    if (this.#closed) return;

    let answer: Answer;
    let body: unknown = null;
    if (raw === null) {
      answer = errorAnswer(413, 'request body too large');
    } else {
      let parsed = true;
      if (raw.length > 0) {
        try {
          body = JSON.parse(raw);
        } catch {
          parsed = false;
        }
      }
      answer = parsed
        ? this.#deps.api.handle({ method, path: url.pathname, query: url.searchParams, token: tokenOf(req), namespace, body })
        : errorAnswer(400, 'failed to parse JSON input: invalid character');
    }
    send(res, answer, method === 'HEAD');
    log(answer.status, faultKind);
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const sleeper = {
        timer: setTimeout(() => {
          this.#sleepers.delete(sleeper);
          resolve();
        }, ms),
        resolve,
      };
      this.#sleepers.add(sleeper);
    });
  }
}

function header(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first === '' ? null : first;
}

/** Vault takes the token from X-Vault-Token, or from a Bearer Authorization header. */
function tokenOf(req: IncomingMessage): string | null {
  const direct = header(req, 'x-vault-token');
  if (direct !== null) return direct;
  const auth = header(req, 'authorization');
  const match = auth === null ? null : /^Bearer\s+(\S+)\s*$/i.exec(auth);
  return match?.[1] ?? null;
}

function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(null));
  });
}

function send(res: ServerResponse, answer: Answer, headOnly = false): void {
  if (res.destroyed) return;
  if (answer.body === null || answer.status === 204) {
    res.writeHead(answer.status, { 'cache-control': 'no-store' });
    res.end();
    return;
  }
  const text = JSON.stringify(answer.body);
  res.writeHead(answer.status, {
    'content-type': 'application/json',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(text),
  });
  res.end(headOnly ? undefined : text);
}
