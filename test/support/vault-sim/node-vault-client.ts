import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import vault from 'node-vault';
import { CA_PATH } from '../certs.ts';
import type { VaultSimulator } from './index.ts';

/** The real node-vault client pointed at the simulator, trusting the test CA. */
export function nodeVaultClient(sim: VaultSimulator, extra: vault.VaultOptions = {}): vault.client {
  return vault({ endpoint: sim.url, requestOptions: { ca: readFileSync(CA_PATH), timeout: 2000 }, ...extra });
}

/** node-vault rejects with an error carrying the HTTP answer; this returns it. */
export async function rejection(promise: Promise<unknown>): Promise<{ message: string; status: number; body: unknown }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { message: string; response?: { statusCode: number; body: unknown } };
    return { message: e.message, status: e.response?.statusCode ?? 0, body: e.response?.body };
  }
  assert.fail('expected a rejection');
}
