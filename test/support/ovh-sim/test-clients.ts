import { readFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import { createRequire } from 'node:module';
import { getCACertificates } from 'node:tls';
import { CA_PATH } from '../certs.ts';
import { OVH_APPLICATION_KEY, OVH_APPLICATION_SECRET, OVH_CONSUMER_KEY } from '../secrets.ts';
import type { OvhSimulator } from './server.ts';
import { ovhSignature } from './signature.ts';

/**
 * Clients for the simulator's own tests: the real `ovh` npm client, and raw
 * HTTPS calls for what that client cannot send (signed /auth calls, headers).
 */

const TRUSTED_CA = [...getCACertificates('default'), readFileSync(CA_PATH, 'utf8')];

/**
 * node-ovh has no `ca` option and always uses the global agent, so its tests
 * trust the test CA there. Each test file runs in its own process.
 */
export function trustTestCaGlobally(): void {
  https.globalAgent.options.ca = TRUSTED_CA;
}

export interface NodeOvhClient {
  request(method: string, path: string, params: Record<string, unknown>, callback: (error: unknown, result: unknown) => void): void;
  requestPromised(method: string, path: string, params?: Record<string, unknown>): Promise<unknown>;
  apiTimeDiff: number | null;
}

type NodeOvhFactory = (params: Record<string, unknown>) => NodeOvhClient;

export function realOvhClient(sim: OvhSimulator, overrides: Record<string, unknown> = {}): NodeOvhClient {
  const factory = createRequire(import.meta.url)('ovh') as NodeOvhFactory;
  return factory({
    appKey: OVH_APPLICATION_KEY,
    appSecret: OVH_APPLICATION_SECRET,
    consumerKey: OVH_CONSUMER_KEY,
    host: sim.host,
    port: sim.port,
    basePath: '/1.0',
    ...overrides,
  });
}

/** `requestPromised` rejects with a plain `{error, message}`: turn both outcomes into a value. */
export async function settle(promise: Promise<unknown>): Promise<{ ok: true; value: unknown } | { ok: false; error: unknown; message: unknown }> {
  try {
    return { ok: true, value: await promise };
  } catch (reason) {
    const r = reason as { error?: unknown; message?: unknown };
    return { ok: false, error: r.error, message: r.message };
  }
}

export interface RawAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json: unknown;
}

export interface RawOptions {
  body?: unknown;
  /** Sign with these keys (default: the test keys); `false` sends no auth headers. */
  sign?: false | { applicationKey?: string; applicationSecret?: string; consumerKey?: string };
  /** Unix seconds to put in X-Ovh-Timestamp (default: the simulator's /auth/time). */
  timestamp?: number;
  /** Sign `https://host:port/...` instead of OVH's port-less URL. */
  signWithPort?: boolean;
  signal?: AbortSignal;
}

export async function rawCall(sim: OvhSimulator, method: string, path: string, options: RawOptions = {}): Promise<RawAnswer> {
  const fullPath = `/1.0${path}`;
  const body = options.body === undefined ? '' : JSON.stringify(options.body);
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (options.sign !== false) {
    const keys = options.sign ?? {};
    const applicationKey = keys.applicationKey ?? OVH_APPLICATION_KEY;
    const consumerKey = keys.consumerKey ?? OVH_CONSUMER_KEY;
    const timestamp = String(options.timestamp ?? (await serverTime(sim)));
    const host = options.signWithPort === true ? `${sim.host}:${sim.port}` : sim.host;
    headers['X-Ovh-Application'] = applicationKey;
    headers['X-Ovh-Consumer'] = consumerKey;
    headers['X-Ovh-Timestamp'] = timestamp;
    headers['X-Ovh-Signature'] = ovhSignature({
      secret: keys.applicationSecret ?? OVH_APPLICATION_SECRET,
      consumerKey,
      method,
      url: `https://${host}${fullPath}`,
      body,
      timestamp,
    });
  }
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: sim.host,
        port: sim.port,
        method,
        path: fullPath,
        headers,
        ca: TRUSTED_CA,
        agent: false,
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          let json: unknown;
          try {
            json = text === '' ? undefined : (JSON.parse(text) as unknown);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export async function serverTime(sim: OvhSimulator): Promise<number> {
  const answer = await rawCall(sim, 'GET', '/auth/time', { sign: false });
  return answer.json as number;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
