import type { IncomingHttpHeaders } from 'node:http';
import { authError, SimHttpError } from './http-errors.ts';
import { matchesWildcard } from './paths.ts';
import { ovhSignature, sameSignature, signedUrl } from './signature.ts';
import type { AccessRule, SimConsumer } from './types.ts';

export interface Credentials {
  applications: Map<string, string>;
  consumers: Map<string, SimConsumer>;
}

export interface Caller {
  applicationKey: string;
  consumerKey: string;
  consumer: SimConsumer;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The checks OVH's gateway makes before a call reaches the API, in its order:
 * application key, consumer key, timestamp and signature. A timestamp outside
 * the window fails as a bad signature, which is what a skewed clock looks like.
 */
export function authenticate(
  request: { method: string; rawUrl: string; headers: IncomingHttpHeaders; body: string },
  credentials: Credentials,
  nowSec: number,
  windowSec: number,
): Caller {
  const applicationKey = header(request.headers, 'x-ovh-application');
  const secret = applicationKey === undefined ? undefined : credentials.applications.get(applicationKey);
  if (applicationKey === undefined || secret === undefined) {
    throw authError(403, 'INVALID_KEY', 'Invalid application key');
  }
  const consumerKey = header(request.headers, 'x-ovh-consumer');
  if (consumerKey === undefined) throw authError(401, 'NOT_CREDENTIAL', 'You must login first');
  const consumer = credentials.consumers.get(consumerKey);
  if (consumer === undefined) throw authError(403, 'NOT_CREDENTIAL', 'This credential does not exist');
  const expired = consumer.expiration != null && Date.parse(consumer.expiration) <= nowSec * 1000;
  const otherApplication = consumer.applicationKey !== undefined && consumer.applicationKey !== applicationKey;
  if ((consumer.status ?? 'validated') !== 'validated' || expired || otherApplication) {
    throw authError(403, 'INVALID_CREDENTIAL', 'This credential is not valid');
  }

  const timestamp = header(request.headers, 'x-ovh-timestamp');
  const signature = header(request.headers, 'x-ovh-signature');
  const invalid = authError(400, 'INVALID_SIGNATURE', 'Invalid signature');
  if (timestamp === undefined || signature === undefined || !/^\d+$/.test(timestamp)) throw invalid;
  if (Math.abs(Number(timestamp) - nowSec) > windowSec) throw invalid;
  const expected = ovhSignature({
    secret,
    consumerKey,
    method: request.method,
    url: signedUrl(header(request.headers, 'host'), request.rawUrl),
    body: request.body,
    timestamp,
  });
  if (!sameSignature(expected, signature)) throw invalid;
  return { applicationKey, consumerKey, consumer };
}

export function isGranted(rules: readonly AccessRule[], method: string, path: string): boolean {
  return rules.some((rule) => rule.method === method && matchesWildcard(rule.path, path));
}

export function notGranted(): SimHttpError {
  return authError(403, 'NOT_GRANTED_CALL', 'This call has not been granted');
}
