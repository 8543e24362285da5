import { randomUUID } from 'node:crypto';

/** What a route decides; the server turns it into HTTP. body null = no body (204). */
export interface Answer {
  status: number;
  body: unknown;
}

/** Vault's error envelope, on every status ≥ 400. */
export function errorAnswer(status: number, ...errors: string[]): Answer {
  return { status, body: { errors } };
}

/** The multierror text Vault uses when an ACL check fails. */
export const POLICY_DENIED = '1 error occurred:\n\t* permission denied\n\n';

export const PERMISSION_DENIED = errorAnswer(403, 'permission denied');
export const SEALED = errorAnswer(503, 'Vault is sealed');

/** The envelope of every successful logical response. */
export function okAnswer(fields: {
  data?: unknown;
  auth?: unknown;
  lease_duration?: number;
  renewable?: boolean;
  warnings?: string[] | null;
  mount_type?: string;
}): Answer {
  return {
    status: 200,
    body: {
      request_id: randomUUID(),
      lease_id: '',
      renewable: fields.renewable ?? false,
      lease_duration: fields.lease_duration ?? 0,
      data: fields.data ?? null,
      wrap_info: null,
      warnings: fields.warnings ?? null,
      auth: fields.auth ?? null,
      ...(fields.mount_type === undefined ? {} : { mount_type: fields.mount_type }),
    },
  };
}
