import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CarpOvhError } from '../../src/errors.ts';
import { createKeepalivedPlatform } from '../../src/platform/keepalived/index.ts';
import { createFakeIp } from '../support/fake-ip.ts';
import { makeTempDir } from '../support/tmp.ts';

const ENTRY = { vrrpInstance: 'VI_1', interface: 'eth0', addresses: ['198.51.100.10'] };

function setup(share = 1) {
  const ip = createFakeIp('keepalived-platform');
  ip.setLink({ ifname: 'eth0', mac: '00:50:56:09:3C:F2', addresses: ['192.0.2.2'] });
  const trackFile = join(makeTempDir('keepalived-track'), 'run', 'carp-ovh', 'track');
  return { ip, trackFile, platform: createKeepalivedPlatform({ ip: ip.path, trackFile, share }) };
}

function isPlatformError(pattern: RegExp, facts: { badInput?: boolean } = {}) {
  return (error: unknown): boolean =>
    error instanceof CarpOvhError &&
    error.source === 'platform' &&
    pattern.test(error.message) &&
    (facts.badInput === undefined || error.badInput === facts.badInput);
}

describe('keepalived platform', () => {
  it('MASTER exactly when every VIP of the instance is on its interface; our MAC is the link address', async () => {
    const { ip, platform } = setup();
    assert.equal(platform.entryKey(ENTRY), 'VI_1');
    assert.deepEqual(await platform.readEntry(ENTRY), {
      state: 'BACKUP',
      mac: '00:50:56:09:3c:f2',
      detail: 'VI_1: not MASTER (none of 198.51.100.10 on eth0)',
    });
    ip.setLink({ ifname: 'eth0', mac: '00:50:56:09:3c:f2', addresses: ['192.0.2.2', '198.51.100.10'] });
    const master = await platform.readEntry(ENTRY);
    assert.equal(master.state, 'MASTER');
    assert.equal(master.detail, 'VI_1: MASTER (198.51.100.10 on eth0)');
    const two = { ...ENTRY, addresses: ['198.51.100.10', '198.51.100.11'] };
    const partial = await platform.readEntry(two);
    assert.equal(partial.state, 'BACKUP', 'half the VIPs is keepalived mid-transition, not MASTER');
    assert.match(partial.detail ?? '', /only 198\.51\.100\.10 of/);
    // Asked by `dev`, so an interface called like an ip keyword is still an interface.
    assert.deepEqual(ip.calls()[0], ['-j', 'addr', 'show', 'dev', 'eth0']);
  });

  it('a missing interface is absent; a bad interface name never reaches ip', async () => {
    const { ip, platform } = setup();
    ip.removeLink('eth0');
    assert.deepEqual(await platform.readEntry(ENTRY), { state: 'absent', mac: null, detail: 'eth0 does not exist' });
    const before = ip.calls().length;
    await assert.rejects(platform.readEntry({ ...ENTRY, interface: '-j' }), (error: unknown) => error instanceof CarpOvhError && error.badInput);
    await assert.rejects(platform.readEntry({ ...ENTRY, interface: 'a/b' }), (error: unknown) => error instanceof CarpOvhError && error.badInput);
    assert.equal(ip.calls().length, before);
  });

  it('malformed ip output is a clear bad-input error naming the command', async () => {
    const { ip, platform } = setup();
    ip.setRaw('eth0', 'eth0: <BROADCAST,UP> mtu 1500\n');
    await assert.rejects(platform.readEntry(ENTRY), isPlatformError(/ip -j addr show dev eth0: unexpected ip -j output: not JSON/, { badInput: true }));
    ip.setRaw('eth0', '[{"ifname":"eth1"}]');
    await assert.rejects(platform.readEntry(ENTRY), isPlatformError(/asked for eth0, got "eth1"/, { badInput: true }));
  });

  it('a missing or broken ip says which config key to fix', async () => {
    const trackFile = join(makeTempDir('keepalived-track'), 'track');
    const missing = createKeepalivedPlatform({ ip: '/nonexistent/ip', trackFile, share: 1 });
    await assert.rejects(missing.readEntry(ENTRY), isPlatformError(/\/nonexistent\/ip does not exist; set platform\.ip/));
    assert.throws(() => createKeepalivedPlatform({ ip: 'ip', trackFile, share: 1 }), /platform\.ip must be an absolute path/);
    assert.throws(() => createKeepalivedPlatform({ ip: '/sbin/ip', trackFile: 'track', share: 1 }), /platform\.track_file must be an absolute path/);
    assert.throws(() => createKeepalivedPlatform({ ip: '/sbin/ip', trackFile, share: 255 }), /from 1 to 254/);
  });

  it('demotion: the share while on, 0 while off, written only on change, atomically', async () => {
    const { platform, trackFile } = setup(3);
    assert.match(platform.describeDemotion(), /^track file \/.*\/run\/carp-ovh\/track$/);
    assert.deepEqual(await platform.readDemotion(), { value: 0, ours: false }, 'no file yet reads as keepalived reads it: 0');
    assert.deepEqual(await platform.setDemoted(true), { value: 3, ours: true, changed: true });
    assert.equal(readFileSync(trackFile, 'utf8'), '3\n');
    assert.deepEqual(await platform.setDemoted(true), { value: 3, ours: true, changed: false });
    assert.deepEqual(await platform.readDemotion(), { value: 3, ours: true });
    assert.deepEqual(await platform.setDemoted(false), { value: 0, ours: false, changed: true });
    assert.equal(readFileSync(trackFile, 'utf8'), '0\n');
    assert.deepEqual(await platform.setDemoted(false), { value: 0, ours: false, changed: false });
    const dir = join(trackFile, '..');
    assert.deepEqual(readdirSync(dir), ['track'], 'no temporary file left behind');
  });

  it('a track file someone else filled with a number carp-ovh did not write is put right; garbage is an error', async () => {
    const { platform, trackFile } = setup(1);
    assert.deepEqual(await platform.setDemoted(false), { value: 0, ours: false, changed: true }, 'a missing file is written as 0');
    assert.equal(readFileSync(trackFile, 'utf8'), '0\n');
    writeFileSync(trackFile, '7\n');
    assert.deepEqual(await platform.readDemotion(), { value: 7, ours: false });
    assert.deepEqual(await platform.setDemoted(true), { value: 1, ours: true, changed: true });
    writeFileSync(trackFile, 'yes\n');
    await assert.rejects(platform.readDemotion(), isPlatformError(/holds "yes", not a number/, { badInput: true }));
    writeFileSync(trackFile, '');
    assert.deepEqual(await platform.readDemotion(), { value: 0, ours: false });
  });

  it('alias: adds and removes a /32, idempotently', async () => {
    const { ip, platform } = setup();
    assert.equal(await platform.alias.has('eth0', '198.51.100.20'), false);
    await platform.alias.add('eth0', '198.51.100.20');
    await platform.alias.add('eth0', '198.51.100.20');
    assert.equal(await platform.alias.has('eth0', '198.51.100.20'), true);
    assert.deepEqual(ip.link('eth0')?.addresses, ['192.0.2.2', '198.51.100.20']);
    await platform.alias.remove('eth0', '198.51.100.20');
    await platform.alias.remove('eth0', '198.51.100.20');
    assert.equal(await platform.alias.has('eth0', '198.51.100.20'), false);
    assert.ok(ip.calls().some((call) => call.join(' ') === 'addr add 198.51.100.20/32 dev eth0'));
  });
});
