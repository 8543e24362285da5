/** Where the OVH keys come from (src/secrets/: Vault or a 0600 file). */

export interface OvhCredentials {
  applicationKey: string;
  applicationSecret: string;
  consumerKey: string;
}

export interface SecretSource {
  /** Human description for logs: never contains a secret. */
  readonly description: string;
  readOvhCredentials(options?: { signal?: AbortSignal }): Promise<OvhCredentials>;
}
