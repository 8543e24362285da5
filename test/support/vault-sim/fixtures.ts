import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { makeTempDir } from '../tmp.ts';
import { VAULT_ROLE_ID, VAULT_SECRET_ID } from '../secrets.ts';
import type { VaultSimulator } from './types.ts';

export interface SecretsmithFixture {
  /** Default: the simulator's URL. */
  url?: string;
  /** Default: the simulator's CA path. */
  verify?: string | boolean;
  namespace?: string;
  /** Default: AppRole with VAULT_ROLE_ID / VAULT_SECRET_ID. */
  auth?: Record<string, unknown>;
  /** Default 0o600. */
  mode?: number;
  /** Default: a fresh temp dir. */
  dir?: string;
  name?: string;
}

/** Writes a secretsmith file (the routers' format) pointing at the simulator; returns its path. */
export function writeSecretsmithFile(sim: Pick<VaultSimulator, 'url' | 'caPath'> | null, fixture: SecretsmithFixture = {}): string {
  const dir = fixture.dir ?? makeTempDir('secretsmith');
  const file = join(dir, fixture.name ?? 'carp-secretsmith.yaml');
  const server: Record<string, unknown> = {
    url: fixture.url ?? sim?.url ?? 'https://127.0.0.1:1',
    verify: fixture.verify ?? sim?.caPath ?? true,
  };
  if (fixture.namespace !== undefined) server.namespace = fixture.namespace;
  const auth = fixture.auth ?? { method: 'approle', role_id: VAULT_ROLE_ID, secret_id: VAULT_SECRET_ID };
  writeFileSync(file, stringify({ vault: { server, auth } }), { mode: fixture.mode ?? 0o600 });
  chmodSync(file, fixture.mode ?? 0o600);
  return file;
}

/** Writes a token file (mode 0600) next to nothing in particular; returns its path. */
export function writeTokenFile(token: string, dir = makeTempDir('vault-token')): string {
  const file = join(dir, 'vault-token');
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return file;
}
