import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * OVH's request signature. The URL is `https://` + host + path and query as
 * sent; clients sign the host without the port (node-ovh builds it from its
 * `host` option), so the check strips the port from the Host header too.
 */
export function ovhSignature(parts: { secret: string; consumerKey: string; method: string; url: string; body: string; timestamp: string }): string {
  const input = [parts.secret, parts.consumerKey, parts.method, parts.url, parts.body, parts.timestamp].join('+');
  return `$1$${createHash('sha1').update(input).digest('hex')}`;
}

export function signedUrl(hostHeader: string | undefined, rawUrl: string): string {
  const host = (hostHeader ?? '').replace(/:\d+$/, '');
  return `https://${host}${rawUrl}`;
}

export function sameSignature(expected: string, received: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(received);
  return a.length === b.length && timingSafeEqual(a, b);
}
