import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * A test CA and a server certificate for 127.0.0.1/localhost (100-year validity),
 * plus a self-signed "rogue" certificate that no test trusts, for TLS failure tests.
 */
const dir = fileURLToPath(new URL('./certs/', import.meta.url));

export const CA_PATH = `${dir}ca.pem`;
export const SERVER_CERT_PATH = `${dir}server.pem`;
export const SERVER_KEY_PATH = `${dir}server-key.pem`;
export const ROGUE_CERT_PATH = `${dir}rogue.pem`;
export const ROGUE_KEY_PATH = `${dir}rogue-key.pem`;

export function serverTls(kind: 'trusted' | 'rogue' = 'trusted'): { cert: Buffer; key: Buffer } {
  return kind === 'trusted'
    ? { cert: readFileSync(SERVER_CERT_PATH), key: readFileSync(SERVER_KEY_PATH) }
    : { cert: readFileSync(ROGUE_CERT_PATH), key: readFileSync(ROGUE_KEY_PATH) };
}
