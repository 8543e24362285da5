import type { Agent as HttpAgent } from 'node:http';
import http from 'node:http';
import https from 'node:https';

/** What node-vault 0.12 hands its `request-promise` option for each call, plus our per-call signal. */
export interface VaultRequestOptions {
  method: string;
  uri: string;
  headers?: Record<string, string>;
  /** The JSON body, or `true` (from the defaults) for none. */
  json?: unknown;
  signal?: AbortSignal;
}

/** What node-vault reads back: its handleVaultResponse looks at these three only. */
export interface VaultResponse {
  statusCode: number;
  body: unknown;
  request: { path: string };
}

/** Vault answers are a few kilobytes; a larger one is not Vault. */
const MAX_BODY_BYTES = 1024 * 1024;

/**
 * node-vault's `request-promise` option: the one place it lets a caller send
 * its requests. This sends them on the session's own agent with node's
 * http(s).request, so no axios instance, proxy variable or global agent is
 * involved, and each call carries its own AbortSignal: a timeout or an abort
 * ends that call only, and the agent serves the next one.
 */
export function vaultTransport(agent: HttpAgent): { defaults(defaults: Record<string, unknown>): (options: VaultRequestOptions) => Promise<VaultResponse> } {
  return {
    defaults: () => (options) => send(agent, options),
  };
}

function send(agent: HttpAgent, options: VaultRequestOptions): Promise<VaultResponse> {
  const url = new URL(options.uri);
  const body = options.json !== undefined && typeof options.json === 'object' ? JSON.stringify(options.json) : undefined;
  const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
  if (body !== undefined) {
    headers['Content-Type'] ??= 'application/json';
    headers['Content-Length'] = String(Buffer.byteLength(body));
  }
  const request = url.protocol === 'https:' ? https.request : http.request;
  return new Promise<VaultResponse>((resolve, reject) => {
    const req = request(url, { method: options.method, headers, agent, signal: options.signal }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY_BYTES) {
          req.destroy(Object.assign(new Error(`answer larger than ${MAX_BODY_BYTES} bytes`), { code: 'ERR_RESPONSE_TOO_LARGE' }));
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ statusCode: res.statusCode ?? 0, body: parseBody(text), request: { path: url.pathname } });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** As axios did for node-vault: JSON when it parses, the text otherwise (the session then says "not valid JSON"). */
function parseBody(text: string): unknown {
  if (text === '') return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
