import type { OvhCredentials } from '../core/ports/index.ts';
import { isRecord } from './yaml-file.ts';

/** The keys every credential source holds, named as in the Vault secret. */
export const OVH_KEY_NAMES = ['application_key', 'application_secret', 'consumer_key'] as const;

/** Names of the keys that are absent, not strings, or empty. */
export function missingOvhKeys(data: unknown): string[] {
  if (!isRecord(data)) return [...OVH_KEY_NAMES];
  return OVH_KEY_NAMES.filter((key) => {
    const value = data[key];
    return typeof value !== 'string' || value.trim() === '';
  });
}

/** Call after `missingOvhKeys` returned nothing. */
export function toOvhCredentials(data: Record<string, unknown>): OvhCredentials {
  return {
    applicationKey: String(data.application_key).trim(),
    applicationSecret: String(data.application_secret).trim(),
    consumerKey: String(data.consumer_key).trim(),
  };
}
