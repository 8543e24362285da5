import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { loadConfig, resolveConfigPath } from '../../src/config/load.ts';
import { isCarpOvhError, type CarpOvhError } from '../../src/errors.ts';
import { runCli } from '../support/cli.ts';
import { makeTempDir } from '../support/tmp.ts';

const VALID = `ovh:
  endpoint: ovh-eu
  credentials:
    vault:
      config: /usr/local/etc/secrets/carp-secretsmith.yaml
      mount: apps
      path: network/carp-hyper-001-switch
failover:
  - vhid: 2
    interface: vmx1
    addresses: [51.68.252.230]
    via: virtual-mac
    server: ns3000000.ip-1-2-3.eu
    vm_name: router-002
platform:
  ifconfig: /sbin/ifconfig
  sysctl: /sbin/sysctl
health:
  scripts: /usr/local/etc/rc.carp_service_status.d
  demotion: 1048576
state_dir: /var/db/carp-ovh
log:
  level: info
  syslog: { tag: carp-ovh, facility: daemon }
`;

function write(text: string, name = 'carp-ovh.yaml'): string {
  const path = join(makeTempDir('config'), name);
  writeFileSync(path, text);
  return path;
}

async function problemsOf(text: string): Promise<CarpOvhError> {
  const path = write(text);
  try {
    await loadConfig(path);
  } catch (error) {
    assert.ok(isCarpOvhError(error), `expected CarpOvhError, got ${String(error)}`);
    assert.equal(error.badInput, true);
    assert.equal(error.file, path);
    return error;
  }
  assert.fail('expected the config to be rejected');
}

describe('config loading', () => {
  test('the documented example configuration loads with its values and the documented defaults', async () => {
    const config = await loadConfig(write(VALID));
    assert.equal(config.ovh.endpoint, 'ovh-eu');
    assert.equal(config.ovh.url, null);
    assert.equal(config.ovh.pollIntervalMs, 1000);
    assert.equal(config.ovh.deadlineMs, 180_000);
    assert.equal(config.ovh.maxRpm, 60);
    assert.deepEqual(config.ovh.credentials, {
      kind: 'vault',
      config: '/usr/local/etc/secrets/carp-secretsmith.yaml',
      mount: 'apps',
      path: 'network/carp-hyper-001-switch',
      kvVersion: 2,
      timeoutMs: 5000,
      allowEnvSkipVerify: false,
    });
    assert.deepEqual(config.failover, [
      { vhid: 2, interface: 'vmx1', addresses: ['51.68.252.230'], via: 'virtual-mac', server: 'ns3000000.ip-1-2-3.eu', vmName: 'router-002', mac: null },
    ]);
    assert.equal(config.health.claimHoldMs, 300_000);
    assert.equal(config.health.fall, 1);
    assert.equal(config.health.rise, 1);
    assert.deepEqual(config.log.syslog, { tag: 'carp-ovh', facility: 'daemon', logger: '/usr/bin/logger' });
    assert.equal(config.log.file, '/var/db/carp-ovh/carp-ovh.log');
  });

  test('a minimal config gets every default', async () => {
    const config = await loadConfig(
      write(
        `ovh:\n  credentials: { file: /usr/local/etc/carp-ovh/ovh-credentials.yaml }\nfailover:\n  - { vhid: 1, interface: em0, addresses: [192.0.2.10], server: ns1.example }\n`,
      ),
    );
    assert.equal(config.ovh.endpoint, 'ovh-eu');
    assert.deepEqual(config.ovh.credentials, { kind: 'file', file: '/usr/local/etc/carp-ovh/ovh-credentials.yaml' });
    assert.equal(config.platform.ifconfig, '/sbin/ifconfig');
    assert.equal(config.platform.sysctl, '/sbin/sysctl');
    assert.equal(config.stateDir, '/var/db/carp-ovh');
    assert.equal(config.health.demotion, 1_048_576);
    assert.equal(config.health.scripts, '/usr/local/etc/rc.carp_service_status.d');
    assert.equal(config.log.level, 'info');
    assert.notEqual(config.log.syslog, null);
  });

  test('url instead of endpoint, syslog off, durations in every unit', async () => {
    const config = await loadConfig(
      write(
        VALID.replace('endpoint: ovh-eu', 'url: https://127.0.0.1:8443/1.0\n  poll_interval: 250ms\n  deadline: 3m\n  timeout: 2.5').replace(
          'syslog: { tag: carp-ovh, facility: daemon }',
          'syslog: false\n  file: /var/log/carp-ovh.json',
        ),
      ),
    );
    assert.equal(config.ovh.url, 'https://127.0.0.1:8443/1.0');
    assert.equal(config.ovh.endpoint, null);
    assert.equal(config.ovh.pollIntervalMs, 250);
    assert.equal(config.ovh.deadlineMs, 180_000);
    assert.equal(config.ovh.timeoutMs, 2500);
    assert.equal(config.log.syslog, null);
    assert.equal(config.log.file, '/var/log/carp-ovh.json');
  });

  test('a misspelt key is reported with file, line, key and the expected keys', async () => {
    const error = await problemsOf(VALID.replace('    vm_name: router-002', '    vm_nmae: router-002'));
    assert.equal(error.problems.length, 1);
    assert.match(
      error.problems[0] ?? '',
      /carp-ovh\.yaml:14: failover\[0\]\.vm_nmae: unknown key — did you mean 'vm_name'\? \(expected one of: vhid, interface/,
    );
  });

  test('every problem is reported at once, in line order, each naming what was expected', async () => {
    const error = await problemsOf(
      VALID.replace('vhid: 2', 'vhid: 256')
        .replace('interface: vmx1', 'interface: "vmx1; reboot"')
        .replace('[51.68.252.230]', '[51.68.252.999]')
        .replace('level: info', 'level: loud'),
    );
    const text = error.problems.join('\n');
    assert.match(text, /:9: failover\[0\]\.vhid: expected an integer from 1 to 255, got 256/);
    assert.match(text, /:10: failover\[0\]\.interface: expected an interface name/);
    assert.match(text, /:11: failover\[0\]\.addresses\[0\]: expected an IPv4 address/);
    assert.match(text, /:23: log\.level: expected one of fatal, error, warn, info, debug, trace, got "loud"/);
    assert.equal(error.problems.length, 4);
  });

  test('missing required keys and wrong types', async () => {
    const error = await problemsOf('ovh:\n  credentials: {}\nfailover: nope\n');
    const text = error.problems.join('\n');
    assert.match(text, /ovh\.credentials: expected exactly one of vault or file/);
    assert.match(text, /:3: failover: expected a list of failover entries, got "nope"/);
  });

  test('cross-field rules: endpoint and url together, duplicate vhid and address, demotion not a power of two', async () => {
    const text = VALID.replace('endpoint: ovh-eu', 'endpoint: ovh-eu\n  url: https://127.0.0.1:1/1.0')
      .replace('  - vhid: 2', '  - vhid: 3\n    interface: vmx1\n    addresses: [51.68.252.230]\n    server: ns1.example\n  - vhid: 3')
      .replace('demotion: 1048576', 'demotion: 1000000');
    const error = await problemsOf(text);
    const all = error.problems.join('\n');
    assert.match(all, /ovh\.url: set either ovh\.endpoint or ovh\.url, not both/);
    assert.match(all, /failover\[1\]\.vhid: 3@vmx1 is already configured in failover\[0\]/);
    assert.match(all, /failover\[1\]\.addresses\[0\]: 51\.68\.252\.230 is listed twice/);
    assert.match(all, /health\.demotion: expected a power of two/);
  });

  test('YAML syntax errors and a non-mapping document name the line', async () => {
    const syntax = await problemsOf('ovh:\n  endpoint: [unclosed\nfailover: []\n');
    assert.match(syntax.problems[0] ?? '', /carp-ovh\.yaml:\d+: YAML syntax: /);
    const list = await problemsOf('- just\n- a list\n');
    assert.match(list.problems[0] ?? '', /:1: \(top level\): expected a mapping/);
    const duplicate = await problemsOf(VALID.replace('state_dir: /var/db/carp-ovh', 'state_dir: /a\nstate_dir: /b'));
    assert.match(duplicate.problems[0] ?? '', /YAML syntax: Map keys must be unique/);
  });

  test('a missing file says how to point at another one', async () => {
    await assert.rejects(loadConfig('/nonexistent/carp-ovh.yaml'), (e: unknown) => {
      assert.ok(isCarpOvhError(e) && e.badInput);
      assert.match(e.message, /cannot read config \/nonexistent\/carp-ovh\.yaml: no such file \(use --config PATH or CARP_OVH_CONFIG\)/);
      return true;
    });
  });

  test('--config beats CARP_OVH_CONFIG beats the default', () => {
    assert.equal(resolveConfigPath('/a.yaml', { CARP_OVH_CONFIG: '/b.yaml' }), '/a.yaml');
    assert.equal(resolveConfigPath(undefined, { CARP_OVH_CONFIG: '/b.yaml' }), '/b.yaml');
    assert.equal(resolveConfigPath(undefined, {}), '/usr/local/etc/carp-ovh.yaml');
  });
});

describe('carp-ovh config check (subprocess)', () => {
  test('OK on a valid file, exit 0', async () => {
    const path = write(VALID);
    const result = await runCli(['config', 'check', '--config', path]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^OK .*carp-ovh\.yaml \(failover: 2@vmx1\)/);
  });

  test('a misspelt key: file, line and key on stderr, exit 2, no stack trace', async () => {
    const path = write(VALID.replace('  mount: apps', '  mout: apps'));
    const result = await runCli(['--config', path, 'config', 'check']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, new RegExp(`${path.replaceAll('.', '\\.')}:6: ovh\\.credentials\\.vault\\.mout: unknown key — did you mean 'mount'\\?`));
    assert.doesNotMatch(result.stderr, /\n\s+at /);
  });

  test('a mapping used as a key: an unknown key on its line, and no node warning on stderr', async () => {
    const path = write(`? [vault]\n: 1\n${VALID}`);
    const result = await runCli(['config', 'check', '--config', path]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /carp-ovh\.yaml:1: \[ vault \]: unknown key/);
    assert.doesNotMatch(result.stderr, /Warning|mapAsMap/);
  });

  test('CARP_OVH_CONFIG is honoured; --config after the command too', async () => {
    const good = write(VALID);
    const viaEnv = await runCli(['config', 'check'], { env: { CARP_OVH_CONFIG: good } });
    assert.equal(viaEnv.code, 0, viaEnv.stderr);
    const bad = write('ovh: 1\n');
    const viaFlag = await runCli(['config', 'check', `--config=${bad}`], { env: { CARP_OVH_CONFIG: good } });
    assert.equal(viaFlag.code, 2);
    assert.match(viaFlag.stderr, /ovh: expected/);
  });

  test('usage errors exit 2', async () => {
    const nothing = await runCli([]);
    assert.equal(nothing.code, 2);
    assert.match(nothing.stderr, /usage: carp-ovh/);
    const unknown = await runCli(['frobnicate']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command "frobnicate"/);
    const extra = await runCli(['config', 'lint']);
    assert.equal(extra.code, 2);
    const flag = await runCli(['config', 'check', '--bogus']);
    assert.equal(flag.code, 2);
    assert.match(flag.stderr, /unknown option "--bogus"/);
  });
});
