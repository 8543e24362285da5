import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import nodeOvh from 'ovh';
import { ovhSigner } from '../../src/providers/ovh/client-sign.ts';
import { ovhSignature } from '../support/ovh-sim/signature.ts';

/**
 * carp-ovh signs its OVH requests itself (src/providers/ovh/client-sign.ts);
 * the official node client and the simulator's checker are the two references
 * it must agree with, byte for byte.
 */

const SECRET = 'sign-test-application-secret';
const CONSUMER = 'sign-test-consumer-key';

const CASES: Array<{ method: string; url: string; body: string; timestamp: number }> = [
  { method: 'GET', url: 'https://eu.api.ovh.com/1.0/dedicated/server/ns1.example/virtualMac', body: '', timestamp: 1_764_460_800 },
  { method: 'POST', url: 'https://eu.api.ovh.com/1.0/ip/192.0.2.1%2F32/move', body: '{"to":"ns2.example"}', timestamp: 1_764_460_801 },
  {
    method: 'DELETE',
    url: 'https://ca.api.ovh.com/1.0/dedicated/server/ns1.example/virtualMac/02:00:00:00:00:01/virtualAddress/192.0.2.1',
    body: '',
    timestamp: 0,
  },
  // A non-ASCII body as the client escapes it, and a '+' inside a field.
  { method: 'PUT', url: 'https://127.0.0.1:8443/1.0/path?a=b+c', body: '{"virtualMachineName":"routeur-\\u00e9t\\u00e9"}', timestamp: 1_999_999_999 },
];

describe('OVH request signature', () => {
  test('the same signature as node-ovh 2.0.3 signRequest, for every method, query strings and escaped bodies', () => {
    const ours = ovhSigner(SECRET, CONSUMER);
    const theirs = nodeOvh({ appKey: 'sign-test-application-key', appSecret: SECRET, consumerKey: CONSUMER });
    for (const { method, url, body, timestamp } of CASES) {
      const signature = ours.signRequest(method, url, body, timestamp);
      assert.match(signature, /^\$1\$[0-9a-f]{40}$/);
      assert.equal(signature, theirs.signRequest(method, url, body, timestamp), `${method} ${url}`);
    }
  });

  test('the simulator checks it with the same rule, and any changed field gives another signature', () => {
    const ours = ovhSigner(SECRET, CONSUMER);
    for (const { method, url, body, timestamp } of CASES) {
      const signature = ours.signRequest(method, url, body, timestamp);
      assert.equal(signature, ovhSignature({ secret: SECRET, consumerKey: CONSUMER, method, url, body, timestamp: String(timestamp) }));
      assert.notEqual(signature, ours.signRequest(method, url, body, timestamp + 1));
      assert.notEqual(signature, ovhSigner(`${SECRET}x`, CONSUMER).signRequest(method, url, body, timestamp));
      assert.notEqual(signature, ovhSigner(SECRET, `${CONSUMER}x`).signRequest(method, url, body, timestamp));
    }
  });
});
