/**
 * doctor's wiring (src/cli/wiring/doctor-wire.ts): the platform's checks compare
 * what the installed files run with the CLI entry install writes, the entry's
 * own resolved path, and not node's argv[1], which stays a symlink's path when
 * carp-ovh is run through npm's bin link: keepalived's doctor then warned "not
 * this carp-ovh" on every such install.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { loadConfig } from '../../src/config/load.ts';
import { availability } from '../../src/cli/wiring/adapters.ts';
import { doctorDeps } from '../../src/cli/wiring/doctor-wire.ts';
import { makeTempDir } from '../support/tmp.ts';

describe('doctor wiring', () => {
  test("the platform's checks get the CLI entry of the context, not argv[1]", async () => {
    const dir = makeTempDir('doctor-wire');
    const configPath = join(dir, 'carp-ovh.yaml');
    writeFileSync(
      configPath,
      `ovh:
  credentials:
    file: ${join(dir, 'ovh.json')}
failover:
  - vrrp_instance: VI_1
    interface: eth0
    addresses: [51.68.252.230]
    server: ns3000000.ip-1-2-3.eu
    vm_name: router-1
platform:
  kind: keepalived
  track_file: ${join(dir, 'track')}
state_dir: ${join(dir, 'state')}
`,
    );
    const config = await loadConfig(configPath, { available: availability() });
    const cliPath = '/usr/lib/node_modules/carp-ovh/dist/cli.js';
    assert.notEqual(process.argv[1], cliPath);
    const silent = { write: () => undefined };
    const deps = await doctorDeps({ args: [], configFlag: configPath, env: {}, stdout: silent, stderr: silent, cliPath }, config, '/');
    assert.equal(deps.cliPath, cliPath);
  });
});
