import { CarpOvhError } from '../errors.ts';

/** Node/OpenSSL codes of a certificate the client refused: a config problem or an impostor, not worth a retry. */
const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REVOKED',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'HOSTNAME_MISMATCH',
]);

export interface VaultCallContext {
  /** What was being done, for the message: "AppRole login", "read apps/data/x". */
  step: string;
  url: string;
  timeoutMs: number;
  /** The secretsmith file, named in TLS hints. */
  file: string;
  /** Values to blank out should any text echo them. */
  secrets: readonly string[];
}

/**
 * Vault wraps ACL failures in Go's multierror text ("1 error occurred:\n\t* permission
 * denied\n\n"); keep the items only, so messages stay on one line.
 */
export function cleanVaultMessage(raw: string): string {
  const match = /^\d+ errors? occurred:\s*([\s\S]*)$/.exec(raw);
  if (match === null) return raw.trim();
  const items = (match[1] ?? '')
    .split(/\n\t\* /)
    .map((item) => item.replace(/^\* /, '').trim())
    .filter((item) => item !== '');
  return items.join('; ');
}

export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join('[redacted]');
  }
  return out;
}

export function isTimeoutCode(code: string | undefined, message: string): boolean {
  return code === 'ETIMEDOUT' || (code === 'ECONNABORTED' && /timeout/i.test(message));
}

/**
 * One CarpOvhError (source 'vault') for whatever a Vault call threw. The
 * original error is not kept as `cause`: a request error can carry the request's
 * options, headers (X-Vault-Token) included.
 */
export function toVaultError(error: unknown, ctx: VaultCallContext): CarpOvhError {
  if (error instanceof CarpOvhError) return error;
  const clean = (text: string): string => redact(text, ctx.secrets);
  const e = (typeof error === 'object' && error !== null ? error : {}) as {
    message?: unknown;
    code?: unknown;
    response?: { statusCode?: unknown; body?: unknown };
  };
  const rawMessage = typeof e.message === 'string' ? e.message : String(error);
  const statusCode = e.response?.statusCode;

  if (typeof statusCode === 'number') {
    const message = clean(cleanVaultMessage(rawMessage));
    return new CarpOvhError(`Vault ${ctx.step} failed: ${message}`, {
      source: 'vault',
      status: statusCode,
      retryable: statusCode >= 500 || statusCode === 429 || statusCode === 412,
    });
  }

  const code = typeof e.code === 'string' ? e.code : undefined;
  const withCode = code === undefined ? {} : { errorCode: code };
  if (isTimeoutCode(code, rawMessage)) {
    return timeoutError(ctx, code);
  }
  if (code !== undefined && (TLS_CODES.has(code) || code.startsWith('ERR_SSL_'))) {
    return new CarpOvhError(
      `TLS verification of ${ctx.url} failed during Vault ${ctx.step}: ${clean(firstClause(rawMessage))} (${code}); check vault.server.verify in ${ctx.file}`,
      { source: 'vault', status: 0, retryable: false, ...withCode },
    );
  }
  let detail: string;
  switch (code) {
    case 'ECONNREFUSED':
      detail = `connection refused by ${ctx.url}`;
      break;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      detail = `cannot resolve the host of ${ctx.url}`;
      break;
    case 'ECONNRESET':
    case 'EPIPE':
      detail = `${ctx.url} closed the connection without an answer`;
      break;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      detail = `${ctx.url} is unreachable`;
      break;
    default:
      detail = `${clean(rawMessage)}${/socket hang up/.test(rawMessage) ? ` (${ctx.url})` : ''}`;
  }
  return new CarpOvhError(`Vault ${ctx.step} failed: ${detail}${code === undefined ? '' : ` (${code})`}`, {
    source: 'vault',
    status: 0,
    retryable: true,
    ...withCode,
  });
}

/** Node appends advice about --use-system-ca to some TLS messages; it does not apply to a CA file. */
function firstClause(message: string): string {
  return message.split(/;\s*/)[0] ?? message;
}

export function timeoutError(ctx: VaultCallContext, code = 'ETIMEDOUT'): CarpOvhError {
  return new CarpOvhError(`Vault ${ctx.step} timed out after ${ctx.timeoutMs} ms (${ctx.url})`, {
    source: 'vault',
    status: 0,
    retryable: true,
    timedOut: true,
    errorCode: code,
  });
}

export function cancelledError(ctx: Pick<VaultCallContext, 'step'>): CarpOvhError {
  return new CarpOvhError(`Vault ${ctx.step} cancelled`, { source: 'vault', status: 0, isCanceled: true });
}
