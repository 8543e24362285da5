/**
 * The FreeBSD platform's `alias` port against the fake FreeBSD ifconfig: adds and
 * removes the /32 alias idempotently, reads it back from `ifconfig IF`, and takes
 * our MAC from the alias interface when the entry has one.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FailoverEntry } from '../../src/config/types.ts';
import { createFreeBsdCarp } from '../../src/platform/freebsd/index.ts';
import { freeBsdPlatform } from '../../src/platform/freebsd/platform.ts';
import { createFakeKernel, routerInterface } from '../support/fake-freebsd/index.ts';
import { makeTempDir } from '../support/tmp.ts';

const VIP = '146.59.143.231';

function router(label: string) {
  const kernel = createFakeKernel(makeTempDir(label), {
    interfaces: {
      vmx0: routerInterface({ ether: '00:50:56:09:3c:f2', address: '178.32.70.110', vips: [] }),
      vmx1: routerInterface({ ether: '00:50:56:00:aa:02', address: '10.0.0.2', vips: [{ vhid: 2, state: 'MASTER', addresses: [] }] }),
    },
  });
  const platform = freeBsdPlatform(createFreeBsdCarp({ ifconfig: kernel.ifconfigPath, sysctl: kernel.sysctlPath, timeoutMs: 120_000 }), 2 ** 20);
  const alias = platform.alias;
  assert.ok(alias !== undefined, 'the FreeBSD platform offers aliases');
  return { kernel, platform, alias };
}

const entry = (extra: Partial<FailoverEntry> = {}): FailoverEntry =>
  ({ vhid: 2, interface: 'vmx1', addresses: [VIP], via: 'virtual-mac', mac: null, ...extra }) as FailoverEntry;

describe('FreeBSD platform: alias', () => {
  it('adds, reads and removes the /32 alias idempotently, with the commands of ifconfig(8)', async () => {
    const { kernel, alias } = router('fbsd-alias');
    assert.equal(await alias.has('vmx0', VIP), false);
    await alias.add('vmx0', VIP);
    await alias.add('vmx0', VIP);
    assert.equal(await alias.has('vmx0', VIP), true);
    assert.deepEqual(
      kernel.read().interfaces.vmx0?.inet?.map((inet) => [inet.addr, inet.netmask]),
      [
        ['178.32.70.110', 32],
        [VIP, 32],
      ],
    );
    await alias.remove('vmx0', VIP);
    // Already gone: ifconfig refuses (SIOCDIFADDR), and that is what was asked.
    await alias.remove('vmx0', VIP);
    assert.equal(await alias.has('vmx0', VIP), false);
    const argv = kernel.calls().map((call) => call.argv.join(' '));
    assert.deepEqual(
      argv.filter((line) => line.includes('alias')),
      [`vmx0 inet ${VIP}/32 alias`, `vmx0 inet ${VIP}/32 alias`, `vmx0 inet ${VIP} -alias`, `vmx0 inet ${VIP} -alias`],
    );
  });

  it('fails when ifconfig refuses and the address is still there; refuses bad names and addresses before running anything', async () => {
    const { kernel, alias } = router('fbsd-alias-fail');
    await alias.add('vmx0', VIP);
    kernel.setFault('ifconfig', { mode: 'fail', stderr: 'ifconfig: ioctl (SIOCDIFADDR): Operation not permitted\n', remaining: 1 });
    await assert.rejects(alias.remove('vmx0', VIP), /-alias failed with exit status 1: ifconfig: ioctl \(SIOCDIFADDR\): Operation not permitted/);
    assert.equal(await alias.has('vmx0', VIP), true);
    await assert.rejects(alias.has('vmx7', VIP), /vmx7 \(alias\.interface\) does not exist/);
    const before = kernel.calls().length;
    await assert.rejects(alias.add('vmx0', `${VIP} -alias`), /invalid IPv4 address/);
    await assert.rejects(alias.add('-vmx0', VIP), /invalid interface name/);
    assert.equal(kernel.calls().length, before);
  });

  it("takes our MAC from the alias interface, not the CARP interface's", async () => {
    const { platform } = router('fbsd-alias-mac');
    assert.deepEqual(await platform.readEntry(entry()), { state: 'MASTER', mac: '00:50:56:00:aa:02', detail: 'MASTER (advbase 1, advskew 0)' });
    assert.equal((await platform.readEntry(entry({ alias: { interface: 'vmx0' } }))).mac, '00:50:56:09:3c:f2');
  });
});
