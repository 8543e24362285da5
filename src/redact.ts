/**
 * Secret scrubbing shared by the logger and the CLI's error output.
 * Two nets: keys that name a secret are blanked wherever they occur in an object,
 * and the values of secrets this process has loaded are cut out of any text.
 */

export const REDACTED = '[REDACTED]';

const SECRET_KEY =
  /^(application_?secret|consumer_?key|secret_?id|role_?id|client_?token|token|vault_?token|x-vault-token|x-ovh-signature|x-ovh-consumer|authorization|password|signature)$/i;

// Vault/OpenBao token formats and OVH request signatures, in case one slips into free text.
const SECRET_PATTERNS: RegExp[] = [/\bhv[sbr]\.[A-Za-z0-9_-]{8,}/g, /\$1\$[0-9a-f]{40}/g, /\bs\.[A-Za-z0-9]{24}\b/g];

const knownValues = new Set<string>();

/** Called by the secret sources as soon as a secret is in memory. Short values would blank ordinary words. */
export function registerSecret(value: string | undefined | null): void {
  if (typeof value === 'string' && value.length >= 6) knownValues.add(value);
}

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

export function scrubText(text: string): string {
  let out = text;
  for (const value of knownValues) {
    if (out.includes(value)) out = out.split(value).join(REDACTED);
  }
  for (const pattern of SECRET_PATTERNS) out = out.replace(pattern, REDACTED);
  return out;
}

/** A redacted deep copy; cycles and depth are bounded so a hostile object cannot hang logging. */
export function scrubValue(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth > 8) return '[depth]';
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => scrubValue(item, depth + 1, seen));
  if (value instanceof Error) {
    const out: Record<string, unknown> = { type: value.name, message: scrubText(value.message) };
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'cause' || key === 'config' || key === 'request' || key === 'response') continue;
      out[key] = isSecretKey(key) ? REDACTED : scrubValue(inner, depth + 1, seen);
    }
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    out[key] = isSecretKey(key) && inner !== undefined && inner !== null && inner !== '' ? REDACTED : scrubValue(inner, depth + 1, seen);
  }
  return out;
}
