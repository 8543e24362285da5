import { stringify } from 'node:querystring';

/** Signs a request with the credentials it was made with (client-sign.ts). */
export interface OvhSigner {
  signRequest(method: string, url: string, body: string, timestamp: number): string;
}

export interface RequestTarget {
  host: string;
  port: number;
  basePath: string;
  applicationKey: string;
  consumerKey: string;
}

export interface OutgoingRequest {
  /** basePath + path, with the query string of a GET or DELETE. */
  path: string;
  headers: Record<string, string>;
  /** The exact bytes to send and sign, or null for no body. */
  body: string | null;
}

/**
 * The request node-ovh 2.0.3 would send, built here so that it goes out on
 * this adapter's own agent: null and undefined parameters dropped, the rest in
 * the query string of a GET or DELETE or as the JSON body of a POST or PUT
 * (non-ASCII escaped, as node-ovh does, so the length in characters is the
 * length in bytes). Everything but /auth/time is signed over `https://` + host
 * + path, without the port, as node-ovh signs. `offsetSec` is the server clock
 * minus ours, measured with /auth/time.
 */
export function buildRequest(
  signer: OvhSigner,
  target: RequestTarget,
  method: string,
  path: string,
  params: Record<string, unknown>,
  offsetSec: number,
): OutgoingRequest {
  const kept = Object.fromEntries(Object.entries(params).filter(([, value]) => value !== null && value !== undefined));
  const headers: Record<string, string> = { 'Content-Type': 'application/json', 'X-Ovh-Application': target.applicationKey };
  let fullPath = target.basePath + path;
  let body: string | null = null;
  if (Object.keys(kept).length > 0) {
    if (method === 'POST' || method === 'PUT') {
      body = JSON.stringify(kept).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
      headers['Content-Length'] = String(body.length);
    } else {
      fullPath += `?${stringify(kept as Parameters<typeof stringify>[0])}`;
    }
  }
  if (path !== '/auth/time') {
    const timestamp = Math.round(Date.now() / 1000) + offsetSec;
    headers['X-Ovh-Timestamp'] = String(timestamp);
    headers['X-Ovh-Consumer'] = target.consumerKey;
    headers['X-Ovh-Signature'] = signer.signRequest(method, `https://${target.host}${fullPath}`, body ?? '', timestamp);
  }
  return { path: fullPath, headers, body };
}
