import { createHash } from 'node:crypto';
import type { OvhSigner } from './client-request.ts';

/**
 * OVH's request signature (../shared/reference/ovh-api.md, "Signing"):
 * `$1$` and the SHA-1 hex of the application secret, consumer key, method,
 * full URL, body and timestamp joined by `+`; test/providers/ovh-sign.test.ts
 * holds it to node-ovh 2.0.3's own signRequest.
 *
 * Signed here rather than by a node-ovh instance: the client brings bluebird and
 * async with it, which cost every process that talks to OVH ~17 ms of CPU and
 * ~1.4 MiB to load, for this one hash (measured on the two-core test machine).
 */
export function ovhSigner(applicationSecret: string, consumerKey: string): OvhSigner {
  return {
    signRequest(method, url, body, timestamp) {
      const text = [applicationSecret, consumerKey, method, url, body, timestamp].join('+');
      return `$1$${createHash('sha1').update(text).digest('hex')}`;
    },
  };
}
