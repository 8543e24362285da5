/** The `metrics` keys: off by default; a malformed one is a clear error naming file, line and key. */
import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../src/config/load.ts';
import { SEED_MAC_ROUTER_002, startWorld, type World } from '../support/world.ts';

describe('metrics config', () => {
  let world: World;
  before(async () => {
    world = await startWorld({ label: 'metrics-config' });
  });
  after(async () => {
    await world.close();
  });

  test('defaults to off; textfile and listen are parsed; bad values exit 2 with file:line: key', async () => {
    const plain = world.router({ name: 'r-plain', mac: SEED_MAC_ROUTER_002, ownAddress: '178.32.70.110', state: 'BACKUP' });
    assert.deepEqual((await loadConfig(plain.configPath)).metrics, { textfile: null, listen: null });

    const on = world.router({ name: 'r-on', mac: SEED_MAC_ROUTER_002, ownAddress: '178.32.70.110', state: 'BACKUP' });
    appendFileSync(on.configPath, 'metrics:\n  textfile: /var/tmp/node_exporter/carp_ovh.prom\n  listen: "[::1]:9742"\n');
    assert.deepEqual((await loadConfig(on.configPath)).metrics, { textfile: '/var/tmp/node_exporter/carp_ovh.prom', listen: { host: '::1', port: 9742 } });

    for (const [line, key] of [
      ['  listen: 0.0.0.0:99999', 'metrics.listen'],
      ['  listen: example.org:9742', 'metrics.listen'],
      ['  textfile: relative/carp.prom', 'metrics.textfile'],
      ['  textfile: /var/tmp/node_exporter/carp.txt', 'metrics.textfile'],
    ] as const) {
      const bad = world.router({ name: 'r-bad', mac: SEED_MAC_ROUTER_002, ownAddress: '178.32.70.110', state: 'BACKUP' });
      appendFileSync(bad.configPath, `metrics:\n${line}\n`);
      const result = await bad.cli(['config', 'check']);
      assert.equal(result.code, 2, `${line}: ${result.stdout}${result.stderr}`);
      assert.match(result.stderr, new RegExp(`carp-ovh\\.yaml:\\d+: ${key.replace('.', '\\.')}: `), result.stderr);
      assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
    }
  });
});
