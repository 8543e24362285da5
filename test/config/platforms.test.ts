/**
 * The keys of every platform and provider: per-kind and per-via required keys,
 * defaults from the host, demotion bounds per platform, and kinds or vias this
 * build has no adapter for, each reported as FILE:LINE: key: message.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { PLATFORMS, PROVIDERS } from '../../src/cli/wiring/adapters.ts';
import { loadConfig } from '../../src/config/load.ts';
import { kindIn, peekPlatformKind } from '../../src/config/peek-kind.ts';
import { defaultPlatformKind } from '../../src/config/platform-kinds.ts';
import { FAILOVER_VIAS, PLATFORM_KINDS } from '../../src/config/types.ts';
import { isCarpOvhError, type CarpOvhError } from '../../src/errors.ts';
import { runCli } from '../support/cli.ts';
import { makeTempDir } from '../support/tmp.ts';

const OVH = `ovh:\n  credentials: { file: /usr/local/etc/carp-ovh/ovh-credentials.yaml }\n`;

function write(text: string): string {
  const path = join(makeTempDir('config-platforms'), 'carp-ovh.yaml');
  writeFileSync(path, text);
  return path;
}

async function problemsOf(text: string, available?: { kinds: string[]; vias: string[] }): Promise<string[]> {
  try {
    await loadConfig(write(text), available === undefined ? {} : { available });
  } catch (error) {
    assert.ok(isCarpOvhError(error), String(error));
    assert.equal((error as CarpOvhError).badInput, true);
    return (error as CarpOvhError).problems;
  }
  assert.fail('expected the config to be rejected');
}

describe('config: platforms and providers', () => {
  test('keepalived: entries keyed by vrrp_instance, track file and ip with their defaults, demotion 1', async () => {
    const config = await loadConfig(
      write(
        `${OVH}failover:\n  - vrrp_instance: VI_1\n    interface: eth0\n    addresses: [192.0.2.10]\n    server: ns1.example\nplatform:\n  kind: keepalived\n`,
      ),
    );
    assert.equal(config.platform.kind, 'keepalived');
    assert.equal(config.platform.ip, '/sbin/ip');
    assert.equal(config.platform.trackFile, '/run/carp-ovh/track');
    assert.equal(config.health.demotion, 1);
    assert.deepEqual(config.failover[0], {
      interface: 'eth0',
      addresses: ['192.0.2.10'],
      via: 'virtual-mac',
      server: 'ns1.example',
      vmName: null,
      mac: null,
      vrrpInstance: 'VI_1',
    });
  });

  test('openbsd: vhid optional, a cloud entry with project, instance and an alias; demotion 16', async () => {
    const config = await loadConfig(
      write(
        `${OVH}failover:\n  - interface: carp0\n    addresses: [198.51.100.7]\n    via: cloud\n    project: 0123456789abcdef\n    instance: ` +
          `bi-edge-sbg-1\n    alias: { interface: vio0 }\nplatform: { kind: openbsd }\n`,
      ),
    );
    assert.equal(config.platform.kind, 'openbsd');
    assert.equal(config.health.demotion, 16);
    assert.deepEqual(config.failover[0], {
      interface: 'carp0',
      addresses: ['198.51.100.7'],
      via: 'cloud',
      vmName: null,
      mac: null,
      project: '0123456789abcdef',
      instance: 'bi-edge-sbg-1',
      alias: { interface: 'vio0' },
    });
  });

  test('ip-move takes a nexthop', async () => {
    const config = await loadConfig(
      write(`${OVH}failover:\n  - { vhid: 1, interface: em0, addresses: [192.0.2.10], via: ip-move, server: ns1.example, nexthop: 192.0.2.254 }\n`),
    );
    assert.equal(config.failover[0]?.nexthop, '192.0.2.254');
    assert.equal(config.failover[0]?.via, 'ip-move');
  });

  test('each required key per platform and per via is named with its line', async () => {
    const problems = await problemsOf(
      `${OVH}failover:\n  - interface: em0\n    addresses: [192.0.2.10]\n  - interface: em1\n    vhid: 3\n    addresses: [192.0.2.11]\n   ` +
        ` via: cloud\n    nexthop: 192.0.2.1\nplatform:\n  kind: freebsd\n`,
    );
    const text = problems.join('\n');
    assert.match(text, /carp-ovh\.yaml:4: failover\[0\]\.vhid: missing \(required with platform\.kind freebsd\)/);
    assert.match(text, /carp-ovh\.yaml:4: failover\[0\]\.server: missing \(required with via: virtual-mac\)/);
    assert.match(text, /carp-ovh\.yaml:6: failover\[1\]\.project: missing \(required with via: cloud\)/);
    assert.match(text, /carp-ovh\.yaml:6: failover\[1\]\.instance: missing \(required with via: cloud\)/);
    assert.match(text, /carp-ovh\.yaml:10: failover\[1\]\.nexthop: used only with via: ip-move \(this entry is via: cloud\)/);
    assert.equal(problems.length, 5, text);
  });

  test('keys a platform does not use are refused; keepalived needs vrrp_instance', async () => {
    const problems = await problemsOf(
      `${OVH}failover:\n  - vhid: 2\n    interface: eth0\n    addresses: [192.0.2.10]\n    server: ns1.example\nplatform:\n  kind: keepalived\n`,
    );
    const text = problems.join('\n');
    assert.match(text, /:4: failover\[0\]\.vhid: not used with platform\.kind keepalived/);
    assert.match(text, /:4: failover\[0\]\.vrrp_instance: missing \(required with platform\.kind keepalived\)/);
  });

  test('an entry key twice is refused, keyed as each platform keys events', async () => {
    const keepalived = await problemsOf(
      `${OVH}failover:\n  - { vrrp_instance: VI_1, interface: eth0, addresses: [192.0.2.10], server: s1 }\n  - { vrrp_instance: VI_1, ` +
        `interface: eth1, addresses: [192.0.2.11], server: s1 }\nplatform: { kind: keepalived }\n`,
    );
    assert.match(keepalived.join('\n'), /:5: failover\[1\]\.vrrp_instance: VI_1 is already configured in failover\[0\]/);
    const openbsd = await problemsOf(
      `${OVH}failover:\n  - { interface: carp0, addresses: [192.0.2.10], server: s1 }\n  - { interface: carp0, vhid: 4, addresses: [192.0.2.11], server: s1 }\nplatform: { kind: openbsd }\n`,
    );
    assert.match(openbsd.join('\n'), /:5: failover\[1\]\.interface: carp0 is already configured in failover\[0\]/);
  });

  test('health.demotion bounds per platform', async () => {
    const entry = `failover:\n  - { interface: carp0, addresses: [192.0.2.10], server: s1 }\n`;
    const openbsd = await problemsOf(`${OVH}${entry}platform: { kind: openbsd }\nhealth:\n  demotion: 200\n`);
    assert.match(openbsd.join('\n'), /:7: health\.demotion: expected an integer from 1 to 128 .* on platform\.kind openbsd, got 200/);
    const keepalived = await problemsOf(
      `${OVH}failover:\n  - { vrrp_instance: VI_1, interface: eth0, addresses: [192.0.2.10], server: s1 }\nplatform: { kind: keepalived }\nhealth: { demotion: 255 }\n`,
    );
    assert.match(keepalived.join('\n'), /health\.demotion: expected an integer from 1 to 254/);
    const freebsd = await loadConfig(
      write(`${OVH}failover:\n  - { vhid: 1, interface: em0, addresses: [192.0.2.10], server: s1 }\nplatform: { kind: freebsd }\nhealth: { demotion: 4096 }\n`),
    );
    assert.equal(freebsd.health.demotion, 4096);
  });

  test('a kind or via without an adapter in this build is refused by name', async () => {
    const problems = await problemsOf(
      `${OVH}failover:\n  - { vrrp_instance: VI_1, interface: eth0, addresses: [192.0.2.10], via: ip-move, server: s1 }\nplatform:\n  kind: keepalived\n`,
      { kinds: ['freebsd'], vias: ['virtual-mac'] },
    );
    const text = problems.join('\n');
    assert.match(text, /:6: platform\.kind: keepalived is not available in this build; available: freebsd/);
    assert.match(text, /:4: failover\[0\]\.via: ip-move is not available in this build; available: virtual-mac/);
  });

  test('through the CLI, every kind and via the schema knows is either wired or refused with exit 2', async () => {
    const missingKinds = PLATFORM_KINDS.filter((kind) => !Object.hasOwn(PLATFORMS, kind));
    const missingVias = FAILOVER_VIAS.filter((via) => !Object.hasOwn(PROVIDERS, via));
    assert.ok(Object.hasOwn(PLATFORMS, 'freebsd') && Object.hasOwn(PROVIDERS, 'virtual-mac'), 'the FreeBSD platform and the virtual-MAC provider are wired');
    for (const kind of missingKinds) {
      const path = write(
        `${OVH}failover:\n  - { vhid: 1, vrrp_instance: VI_1, interface: eth0, addresses: [192.0.2.10], server: s1 }\nplatform:\n  kind: ${kind}\n`,
      );
      const result = await runCli(['config', 'check', '--config', path]);
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, new RegExp(`platform\\.kind: ${kind} is not available in this build`));
    }
    for (const via of missingVias) {
      const path = write(
        `${OVH}failover:\n  - { vhid: 1, interface: em0, addresses: [192.0.2.10], via: ${via}, server: s1, project: p1, instance: i1 }\nplatform: { kind: freebsd }\n`,
      );
      const result = await runCli(['config', 'check', '--config', path]);
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, new RegExp(`failover\\[0\\]\\.via: ${via} is not available in this build`));
    }
  });

  test('platform.kind from the host when not written', async () => {
    assert.equal(defaultPlatformKind('freebsd', false), 'freebsd');
    assert.equal(defaultPlatformKind('openbsd', false), 'openbsd');
    assert.equal(defaultPlatformKind('linux', true), 'keepalived');
    assert.equal(defaultPlatformKind('linux', false), 'freebsd');
    const text = `${OVH}failover:\n  - { vrrp_instance: VI_1, interface: eth0, addresses: [192.0.2.10], server: s1 }\n`;
    if (process.platform === 'linux') assert.equal((await loadConfig(write(text))).platform.kind, 'keepalived');
  });

  test('the hook reads platform.kind from the text without the YAML parser', async () => {
    assert.equal(kindIn('ovh: {}\nplatform:\n  # a comment\n  ifconfig: /sbin/ifconfig\n  kind: openbsd # here\nhealth: {}\n'), 'openbsd');
    assert.equal(kindIn('platform: { ifconfig: /x, kind: "keepalived" }\n'), 'keepalived');
    assert.equal(kindIn('platform:\n  ifconfig: /x\nhealth:\n  kind: openbsd\n'), null, "a kind key under another section is not the platform's");
    assert.equal(kindIn('platform:\n  kind: solaris\n'), null);
    assert.equal(kindIn('failover: []\n'), null);
    assert.equal(await peekPlatformKind('/nonexistent/carp-ovh.yaml', 'openbsd'), 'openbsd');
    assert.equal(await peekPlatformKind(write(`${OVH}failover:\n  - vrrp_instance: VI_1\n`), 'linux'), 'keepalived');
    assert.equal(await peekPlatformKind(write(`${OVH}platform:\n  kind: freebsd\n`), 'linux'), 'freebsd');
  });
});
