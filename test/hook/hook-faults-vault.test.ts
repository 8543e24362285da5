/** Every fault the Vault simulator can inject while the claim reads the OVH credentials. */
import { after, before, describe, test } from 'node:test';
import type { FaultRule } from '../support/vault-sim/index.ts';
import { assertCell, runCell, type CellExpectation } from '../support/fault-cells.ts';
import { startWorld, type World } from '../support/world.ts';

const LOGIN = '/v1/auth/approle/login';
const READ = '/v1/apps/data/*';
const failed: CellExpectation = { code: 1, where: 'peer', demoted: true };

describe('hook MASTER under Vault faults', () => {
  let world: World;
  before(async () => {
    world = await startWorld({ label: 'faults-vault' });
  });
  after(() => world.close());

  const cells: Array<[string, () => FaultRule[], CellExpectation]> = [
    ['sealed', () => [{ path: '/v1/*', status: 503, body: { errors: ['Vault is sealed'] } }], { ...failed, log: /Vault is sealed/ }],
    ['login 400: wrong secret_id', () => [{ path: LOGIN, status: 400, body: { errors: ['invalid role or secret ID'] } }], { ...failed, log: /invalid role or secret ID/ }],
    ['read 403: policy denies', () => [{ path: READ, status: 403, body: { errors: ['1 error occurred:\n\t* permission denied\n\n'] } }], { ...failed, log: /permission denied/ }],
    ['read 500', () => [{ path: READ, status: 500, body: { errors: ['internal error'] } }], { ...failed, log: /claim failed/ }],
    ['login dropped', () => [{ path: LOGIN, drop: true }], { ...failed, log: /claim failed/ }],
    ['read stalled past the timeout', () => [{ path: READ, stall: true }], { ...failed, log: /deadline \(ovh\.deadline\) passed|timed out/ }],
    ['read malformed JSON', () => [{ path: READ, malformed: true }], { code: 2, where: 'peer', demoted: true, log: /claim failed/ }],
    ['token expired between login and read', () => [{ path: READ, times: 1, onMatch: () => world.vault.expireToken() }], { ...failed, log: /permission denied/ }],
  ];

  for (const [name, rules, expected] of cells) {
    test(name, async () => {
      assertCell(await runCell(world, { vault: rules() }), expected);
    });
  }

  test('a KV v1 mount configured as v2', async () => {
    world.vault.addMount('apps', 1);
    try {
      // A config that does not match the server is bad input: exit 2, and still a demotion.
      assertCell(await runCell(world, {}), { code: 2, where: 'peer', demoted: true, log: /claim failed/ });
    } finally {
      world.vault.addMount('apps', 2);
    }
  });
});
