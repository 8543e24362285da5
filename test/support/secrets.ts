/**
 * The secret values every test uses. They are long and distinctive on purpose:
 * test/zz-secret-scan.test.ts greps everything the suite wrote for them.
 */
export const OVH_APPLICATION_KEY = 'ak-carp-ovh-test-7f3a9c';
export const OVH_APPLICATION_SECRET = 'as-SECRET-9d8e7f6a5b4c3d2e1f0a9b8c';
export const OVH_CONSUMER_KEY = 'ck-SECRET-1a2b3c4d5e6f7a8b9c0d1e2f';
export const VAULT_ROLE_ID = 'role-SECRET-5e5e5e5e-aaaa-bbbb-cccc';
export const VAULT_SECRET_ID = 'sid-SECRET-0f0f0f0f-dddd-eeee-ffff';
export const VAULT_ROOT_TOKEN = 'hvs.ROOTSECRETtoken00000000000000';
/** Prefix of every token the Vault simulator issues, so the scan can find them too. */
export const VAULT_TOKEN_PREFIX = 'hvs.SIMSECRET';

/** Values that must never appear in any log, output, state file or argv. */
export const SECRET_VALUES: readonly string[] = [OVH_APPLICATION_SECRET, OVH_CONSUMER_KEY, VAULT_ROLE_ID, VAULT_SECRET_ID, VAULT_ROOT_TOKEN];
/** Substrings that mark a secret wherever they occur (issued tokens are random). */
export const SECRET_MARKERS: readonly string[] = [...SECRET_VALUES, VAULT_TOKEN_PREFIX];
