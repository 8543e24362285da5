import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { serverTls } from '../certs.ts';
import { handleControl } from './control.ts';
import { SimCore } from './core.ts';
import { dispatch } from './dispatch.ts';
import { FaultBook } from './faults.ts';
import { errorBody } from './http-errors.ts';
import { decodePath, splitApiPath } from './paths.ts';
import { RequestLog } from './request-log.ts';
import { authRoutes } from './routes-auth.ts';
import { cloudRoutes } from './routes-cloud.ts';
import { ipRoutes } from './routes-ip.ts';
import { virtualMacRoutes } from './routes-vmac.ts';
import { bareIp, completeState, locate, normalizeMac } from './state.ts';
import type {
  FaultAction,
  FaultSpec,
  OvhSimulatorOptions,
  SimConsumer,
  SimDelays,
  SimDialects,
  SimPlacement,
  SimRequestRecord,
  SimState,
  SimStats,
  SimTaskView,
} from './types.ts';

export const API_BASE_PATH = '/1.0';

export interface OvhSimulator {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** API root, e.g. `https://127.0.0.1:40123/1.0`. */
  readonly url: string;
  close(): Promise<void>;

  addFault(spec: FaultSpec): number;
  removeFault(id: number): void;
  clearFaults(): void;
  faults(): FaultSpec[];

  /** The world as OVH shows it now (due tasks applied). A copy. */
  state(): SimState;
  setState(state: Partial<SimState>): void;
  /** Where `ip` (bare or /32) is routed now. */
  locate(ip: string): SimPlacement[];
  virtualAddresses(server: string, mac: string): string[];
  tasks(): SimTaskView[];
  /** Resolves once every task that can finish has finished. */
  waitForTasks(): Promise<void>;
  /** Ends tasks held by a `never` fault as cancelled, without applying them. */
  cancelStuckTasks(): void;
  /** Lets tasks held by a `never` fault complete now, applying their change. */
  releaseStuckTasks(): void;
  /**
   * Moves the tasks' clock `ms` ahead: pending tasks progress as if that much
   * time had passed. A test can then step a task through todo, doing and done
   * without waiting for it, or keep a long delay from elapsing under load.
   */
  advanceTaskClock(ms: number): void;

  setDelays(delays: Partial<SimDelays>): void;
  delays(): SimDelays;
  /** Switches undocumented behaviour (types.ts SimDialects); unnamed switches keep their value. */
  setDialects(dialects: Partial<SimDialects>): void;
  dialects(): SimDialects;
  setClockOffset(seconds: number): void;
  setApplication(applicationKey: string, applicationSecret: string): void;
  setConsumer(consumerKey: string, consumer: SimConsumer): void;
  removeConsumer(consumerKey: string): void;

  requests(): SimRequestRecord[];
  stats(): SimStats;
  /** Requests a `stall` fault is holding unanswered right now (a stall is logged only when it ends). */
  stallsHeld(): number;
  /**
   * Calls `listener` as a fault is about to shape an answer (before a delay,
   * stall or error is served), so a test can act on the moment its fault is hit.
   * Returns the unsubscribe function.
   */
  onFaultHit(listener: (method: string, path: string) => void): () => void;
  /** Number of 409 answers since start (or the last clearLog). */
  readonly conflicts: number;
  clearLog(): void;
}

const ROUTES = [...authRoutes, ...virtualMacRoutes, ...ipRoutes, ...cloudRoutes];

const DEFAULT_MESSAGES: Record<number, string> = {
  500: 'Internal server error',
  502: 'Bad gateway',
  503: 'Service temporarily unavailable',
  504: 'Gateway timeout',
};

/** What an overloaded front (HAProxy's stock page) answers: HTML, not OVH's JSON. */
const HTML_408 = "<html><body><h1>408 Request Time-out</h1>\nYour browser didn't send a complete request in time.\n</body></html>\n";

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function jsonOrUndefined(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export async function startOvhSimulator(options: OvhSimulatorOptions = {}): Promise<OvhSimulator> {
  const core = new SimCore(options);
  const faultBook = new FaultBook();
  const log = new RequestLog();
  const waits = new Set<() => void>();
  const faultListeners = new Set<(method: string, path: string) => void>();
  const queryPrefix = `EU.ext-3.${Math.floor(Date.now() / 1000).toString(16)}`;
  let querySeq = 0;
  let closed = false;
  let stallsHeld = 0;

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        waits.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      waits.add(done);
    });
  }

  /** Calls (method and URL) already answered by the html408 dialect's one 408. */
  const timedOutOnce = new Set<string>();

  function send(res: ServerResponse, status: number, payload: string, queryId: string, contentType = 'application/json; charset=utf-8'): void {
    if (res.destroyed || res.headersSent) return;
    res.writeHead(status, {
      'Content-Type': contentType,
      'Content-Length': Buffer.byteLength(payload),
      'Cache-Control': 'no-cache',
      'X-Ovh-QueryID': queryId,
    });
    res.end(payload);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const arrived = Date.now();
    const method = req.method ?? 'GET';
    const rawUrl = req.url ?? '/';
    const body = await readBody(req);
    const queryId = `${queryPrefix}.${++querySeq}.${randomBytes(4).toString('hex')}`;
    const requestBody = method === 'POST' || method === 'PUT' ? jsonOrUndefined(body) : undefined;
    const record = (status: number, extra: { errorCode?: string; fault?: FaultAction['type'] } = {}) =>
      log.add({
        time: arrived,
        method,
        path: rawUrl,
        status,
        durationMs: Date.now() - arrived,
        queryId,
        ...extra,
        ...(requestBody === undefined ? {} : { body: requestBody }),
      });
    const answer = (status: number, payload: unknown, fault?: FaultAction['type']) => {
      const code = (payload as { errorCode?: unknown } | null)?.errorCode;
      send(res, status, JSON.stringify(payload), queryId);
      record(status, { ...(typeof code === 'string' ? { errorCode: code } : {}), ...(fault === undefined ? {} : { fault }) });
    };

    if (options.control === true && rawUrl.startsWith('/_sim/')) {
      const result = handleControl(handleApi, method, rawUrl, jsonOrUndefined(body));
      send(res, result.status, JSON.stringify(result.body), queryId);
      return;
    }
    const split = splitApiPath(rawUrl, API_BASE_PATH);
    if (split === null) {
      answer(404, errorBody(404, 'Got an invalid (or empty) URL'));
      return;
    }
    const decodedPath = decodePath(split.apiPath);

    const plan = faultBook.plan(method, decodedPath);
    if (plan.terminal !== null || plan.delayed) for (const listener of [...faultListeners]) listener(method, decodedPath);
    if (plan.delayMs > 0) await sleep(plan.delayMs);
    if (closed || res.destroyed) {
      record(0, plan.delayed ? { fault: 'delay' } : {});
      return;
    }
    const fault = plan.terminal;
    if (fault?.type === 'drop') {
      req.socket.destroy();
      record(0, { fault: 'drop' });
      return;
    }
    if (fault?.type === 'stall') {
      stallsHeld += 1;
      res.on('close', () => {
        stallsHeld -= 1;
        record(0, { fault: 'stall' });
      });
      return;
    }
    if (fault?.type === 'malformed') {
      send(res, fault.status ?? 200, fault.body ?? '{"taskId": 4200001, "status": "to', queryId);
      record(fault.status ?? 200, { fault: 'malformed' });
      return;
    }
    if (fault?.type === 'status') {
      const message = fault.message ?? DEFAULT_MESSAGES[fault.status] ?? `Injected error ${fault.status}`;
      answer(fault.status, fault.body ?? errorBody(fault.status, message, fault.errorCode), 'status');
      return;
    }

    const front408 = core.dialects.html408 !== 'off' && !timedOutOnce.has(`${method} ${rawUrl}`);
    if (front408) timedOutOnce.add(`${method} ${rawUrl}`);
    if (front408 && core.dialects.html408 === 'before') {
      send(res, 408, HTML_408, queryId, 'text/html');
      record(408);
      return;
    }
    const result = dispatch(core, ROUTES, faultBook, {
      method,
      rawUrl,
      apiPath: split.apiPath,
      decodedPath,
      query: split.query,
      headers: req.headers,
      body,
    });
    if (fault?.type === 'lose-answer') {
      req.socket.destroy();
      record(0, { fault: 'lose-answer' });
      return;
    }
    if (front408) {
      // The API carried the call out; the front's timeout fired first.
      send(res, 408, HTML_408, queryId, 'text/html');
      record(408);
      return;
    }
    answer(result.status, result.body, plan.delayed ? 'delay' : undefined);
  }

  const server: Server = createServer(serverTls(options.tls ?? 'trusted'), (req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  const handleApi: OvhSimulator = {
    host: '127.0.0.1',
    port,
    url: `https://127.0.0.1:${port}${API_BASE_PATH}`,
    async close() {
      if (closed) return;
      closed = true;
      for (const wake of [...waits]) wake();
      const done = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await done;
    },
    addFault: (spec) => faultBook.add(spec),
    removeFault: (id) => faultBook.remove(id),
    clearFaults: () => faultBook.clear(),
    faults: () => faultBook.list(),
    state() {
      core.settle();
      return structuredClone(core.state);
    },
    setState(state) {
      core.state = completeState(state);
    },
    locate(ip) {
      core.settle();
      return locate(core.state, bareIp(ip));
    },
    virtualAddresses(server, mac) {
      core.settle();
      return Object.keys(core.state.dedicated[server]?.virtualMacs[normalizeMac(mac)]?.ips ?? {});
    },
    tasks() {
      core.settle();
      const now = core.now();
      return core.tasks.list().map((t) => core.tasks.view(t, now));
    },
    async waitForTasks() {
      for (;;) {
        core.settle();
        const due = core.tasks.lastDue();
        if (due === null || closed) return;
        await sleep(Math.max(1, due - core.now() + 1));
      }
    },
    cancelStuckTasks: () => core.tasks.cancelStuck(core.now()),
    releaseStuckTasks: () => core.tasks.releaseStuck(core.now()),
    advanceTaskClock(ms) {
      core.taskClockAheadMs += Math.max(0, ms);
      core.settle();
    },
    setDelays(delays) {
      core.delays = { ...core.delays, ...delays };
    },
    delays: () => ({ ...core.delays }),
    setDialects(dialects) {
      core.dialects = { ...core.dialects, ...dialects };
      // A fresh switch starts a fresh round of first answers.
      timedOutOnce.clear();
    },
    dialects: () => ({ ...core.dialects }),
    setClockOffset(seconds) {
      core.clockOffsetSec = seconds;
    },
    setApplication: (ak, as) => void core.credentials.applications.set(ak, as),
    setConsumer: (ck, consumer) => void core.credentials.consumers.set(ck, consumer),
    removeConsumer: (ck) => void core.credentials.consumers.delete(ck),
    requests: () => log.list(),
    stallsHeld: () => stallsHeld,
    onFaultHit(listener) {
      faultListeners.add(listener);
      return () => void faultListeners.delete(listener);
    },
    stats: () => log.stats(Date.now()),
    get conflicts() {
      return log.conflicts;
    },
    clearLog: () => log.clear(),
  };
  return handleApi;
}
