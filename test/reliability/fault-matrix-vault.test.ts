/**
 * Fault matrix, Vault: the claim reads the OVH credentials (AppRole login, KV
 * read, token revocation) before any OVH call, so every failure here leaves the
 * VIP on the peer and raises this router's demotion. Real server states are
 * used where the simulator has them (sealed, a policy that denies, rotated
 * AppRole credentials, an expired token, a KV v1 mount); the rest are injected.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { FaultRule } from '../support/vault-sim/index.ts';
import { assertCell, runCell, type CellExpectation, type CellOptions } from '../support/fault-cells.ts';
import { VAULT_SECRET_ID } from '../support/secrets.ts';
import { startWorld, type World } from '../support/world.ts';

const LOGIN = '/v1/auth/approle/login';
const READ = '/v1/apps/data/*';
const REVOKE = '/v1/auth/token/revoke-self';
const failed = (log: RegExp, code: 1 | 2 = 1): CellExpectation => ({ code, where: 'peer', demoted: true, log });
/** credentials.vault.timeout 700 ms instead of the world's 10 s: a stall then costs under a second. */
const shortVaultTimeout = (): CellOptions => ({ editConfig: (yaml) => yaml.replace('      timeout: 10s\n', '      timeout: 700ms\n') });

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

interface VaultCell {
  name: string;
  /** Injected faults, or a real change of the server's state (undone after the cell). */
  rules?: () => FaultRule[];
  setUp?: (world: World) => Promise<CellOptions | void> | CellOptions | void;
  tearDown?: (world: World) => void;
  expect: CellExpectation;
}

const cells: VaultCell[] = [
  { name: 'sealed (the whole server)', setUp: (w) => w.vault.seal(), tearDown: (w) => w.vault.unseal(), expect: failed(/Vault is sealed/) },
  {
    name: 'unreachable: a closed port',
    setUp: async () => ({ router: { vaultUrl: `https://127.0.0.1:${await closedPort()}` } }),
    expect: failed(/connection refused by https:\/\/127\.0\.0\.1:\d+.*ECONNREFUSED/),
  },
  // login
  {
    name: 'login 400: the AppRole credentials were rotated (wrong secret_id)',
    setUp: (w) => w.vault.setRoleCredentials('router', { secret_id: 'sid-rotated-elsewhere-0000' }),
    tearDown: (w) => w.vault.setRoleCredentials('router', { secret_id: VAULT_SECRET_ID }),
    expect: failed(/AppRole login failed: invalid role or secret ID/),
  },
  {
    name: 'login 403',
    rules: () => [{ path: LOGIN, status: 403, body: { errors: ['permission denied'] } }],
    expect: failed(/AppRole login failed: permission denied/),
  },
  {
    name: 'login 500',
    rules: () => [{ path: LOGIN, status: 500, body: { errors: ['internal error'] } }],
    expect: failed(/AppRole login failed: internal error/),
  },
  { name: 'login dropped', rules: () => [{ path: LOGIN, drop: true }], expect: failed(/AppRole login failed: .*(closed the connection|socket hang up)/) },
  {
    name: 'login stalled past the vault timeout',
    rules: () => [{ path: LOGIN, stall: true }],
    setUp: shortVaultTimeout,
    expect: failed(/AppRole login.*no answer within 700 ms|AppRole login.*timed out/i),
  },
  { name: 'login malformed JSON', rules: () => [{ path: LOGIN, malformed: true }], expect: failed(/AppRole login failed: the answer is not valid JSON/, 2) },
  // read
  {
    name: 'read 403: the policy no longer grants the path',
    setUp: (w) => w.vault.setPolicy('read', ['apps/data/something-else']),
    tearDown: (w) => w.vault.setPolicy('read', ['apps/data/network/carp-hyper-001-switch']),
    expect: failed(/permission denied/),
  },
  { name: 'read 400', rules: () => [{ path: READ, status: 400, body: { errors: ['invalid request'] } }], expect: failed(/invalid request/) },
  { name: 'read 500', rules: () => [{ path: READ, status: 500, body: { errors: ['internal error'] } }], expect: failed(/internal error/) },
  { name: 'read dropped', rules: () => [{ path: READ, drop: true }], expect: failed(/(closed the connection|socket hang up)/) },
  {
    name: 'read stalled past the vault timeout',
    rules: () => [{ path: READ, stall: true }],
    setUp: shortVaultTimeout,
    expect: failed(/read apps\/data\/network\/carp-hyper-001-switch.*(no answer within 700 ms|timed out)/i),
  },
  {
    name: 'read malformed JSON',
    rules: () => [{ path: READ, malformed: true }],
    expect: failed(/read apps\/data\/network\/carp-hyper-001-switch failed: the answer is not valid JSON/, 2),
  },
  {
    name: 'token expired between login and read',
    rules: () => [{ path: READ, times: 1, onMatch: () => WORLD.vault.expireToken() }],
    expect: failed(/permission denied/),
  },
  {
    name: 'a KV v1 mount configured as v2',
    setUp: (w) => w.vault.addMount('apps', 1),
    tearDown: (w) => w.vault.addMount('apps', 2),
    // A config that does not match the server is bad input: exit 2, and still a demotion.
    expect: failed(/mount apps is KV version 1, but carp-ovh is configured for KV version 2/, 2),
  },
  // Revoking the AppRole token is housekeeping: its failure never fails the claim.
  {
    name: 'revoke-self 500: the claim goes on',
    rules: () => [{ path: REVOKE, status: 500, body: { errors: ['internal error'] } }],
    expect: { code: 0, where: 'ours', demoted: false, log: /could not revoke the Vault token|claim finished successfully/ },
  },
];

let WORLD: World;

describe('fault matrix: Vault', () => {
  before(async () => {
    WORLD = await startWorld({ label: 'matrix-vault', ovh: { delays: { delete: 60, add: 60 } } });
  });
  after(() => WORLD.close());

  for (const cell of cells) {
    test(cell.name, async () => {
      const options = (await cell.setUp?.(WORLD)) ?? {};
      try {
        const result = await runCell(WORLD, { vault: cell.rules?.() ?? [] }, options);
        if (cell.rules !== undefined) assert.ok(result.faultHits > 0, `the injected fault was never hit\n${result.logText}`);
        assertCell(result, cell.expect);
        assert.doesNotMatch(result.logText, /SECRET/, 'no secret in the log');
      } finally {
        cell.tearDown?.(WORLD);
      }
    });
  }
});
