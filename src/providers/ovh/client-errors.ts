import { CarpOvhError } from '../../errors.ts';

/**
 * Every way an OVH call can fail, as one CarpOvhError. `retryable` follows what
 * trying again can fix: 5xx, a dropped connection, a timeout. A 4xx (auth
 * included) or a certificate that is not trusted will fail the same way again.
 */

export interface CallLabel {
  method: string;
  path: string;
  /** Values that must never reach a message (application secret, consumer key). */
  secrets: readonly string[];
}

function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length > 0) out = out.split(secret).join('[redacted]');
  }
  return out;
}

function prefix(call: CallLabel): string {
  return `OVH API ${call.method} ${call.path}`;
}

/** OVH's messages are a line; anything longer (a proxy, a bug) must not flood the log, last-claim.json and stdout. */
const MAX_MESSAGE = 500;

function clip(message: string): string {
  return message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE)}… (${message.length - MAX_MESSAGE} more characters)` : message;
}

/** An HTTP answer outside 2xx. */
export function httpError(call: CallLabel, status: number, body: string, queryId: string | undefined): CarpOvhError {
  type ErrorBody = { message?: unknown; errorCode?: unknown; class?: unknown };
  let parsed: ErrorBody | null = null;
  try {
    const value = JSON.parse(body) as unknown;
    if (value !== null && typeof value === 'object') parsed = value as ErrorBody;
  } catch {
    // A proxy's HTML page or an empty body: the status says enough.
  }
  const message = typeof parsed?.message === 'string' && parsed.message !== '' ? clip(parsed.message) : `HTTP ${status}`;
  // Older answers carry errorCode (INVALID_SIGNATURE…); newer ones only a class (Client::Conflict…).
  const code = typeof parsed?.errorCode === 'string' ? parsed.errorCode : typeof parsed?.class === 'string' ? parsed.class : undefined;
  return new CarpOvhError(redact(`${prefix(call)}: ${message}`, call.secrets), {
    source: 'ovh',
    status,
    ...(code === undefined ? {} : { errorCode: code }),
    ...(queryId === undefined ? {} : { queryId }),
    // 408: an overloaded front's "Request Time-out" (an HTML page), seen at OVH under load.
    retryable: status >= 500 || status === 429 || status === 408,
  });
}

/** A 2xx whose body is not the JSON it should be. */
export function malformedError(call: CallLabel, status: number, queryId: string | undefined, detail: string): CarpOvhError {
  return new CarpOvhError(redact(`${prefix(call)}: unreadable answer (${detail})`, call.secrets), {
    source: 'ovh',
    status,
    errorCode: 'MALFORMED_RESPONSE',
    ...(queryId === undefined ? {} : { queryId }),
    badInput: true,
  });
}

export function timeoutError(call: CallLabel, timeoutMs: number): CarpOvhError {
  return new CarpOvhError(`${prefix(call)}: no answer within ${timeoutMs} ms`, {
    source: 'ovh',
    status: 0,
    errorCode: 'ETIMEDOUT',
    timedOut: true,
    retryable: true,
  });
}

export function abortError(call: CallLabel, reason: unknown): CarpOvhError {
  const why = reason instanceof Error && reason.message !== '' ? `: ${reason.message}` : '';
  return new CarpOvhError(redact(`${prefix(call)}: cancelled${why}`, call.secrets), {
    source: 'ovh',
    status: 0,
    errorCode: 'ABORT_ERR',
    isCanceled: true,
  });
}

const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|ERR_OSSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|HOSTNAME_MISMATCH$|EPROTO$)/;

export function isTlsCode(code: string): boolean {
  return TLS_CODE.test(code);
}

/** No HTTP answer: refused, reset, DNS, or TLS verification. */
export function networkError(call: CallLabel, error: unknown, where: string): CarpOvhError {
  const err = error as { code?: unknown; message?: unknown } | null;
  const code = typeof err?.code === 'string' ? err.code : 'ERR_NETWORK';
  const detail = typeof err?.message === 'string' ? err.message : String(error);
  const tls = isTlsCode(code);
  // Node appends advice about --use-system-ca; for carp-ovh the remedy is ovh.ca.
  const text = tls
    ? `TLS verification of ${where} failed: ${detail.split(';')[0]} (${code}); ovh.ca can name a CA to trust`
    : `cannot reach ${where}: ${detail}`;
  return new CarpOvhError(redact(`${prefix(call)}: ${text}`, call.secrets), {
    source: 'ovh',
    status: 0,
    errorCode: code,
    retryable: !tls,
    cause: error,
  });
}
