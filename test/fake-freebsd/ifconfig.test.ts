import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runTool } from '../support/fake-freebsd/exec.ts';
import { createFakeKernel, routerInterface, type FakeKernelSetup } from '../support/fake-freebsd/index.ts';
import { makeTempDir } from '../support/tmp.ts';

/** The sample in shared/reference/carp-platforms.md (it leaves out the nd6 line). */
const REFERENCE_14 = [
  'vmx1: flags=1008843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST,LOWER_UP> metric 0 mtu 1500',
  '\tether 00:50:56:09:3c:f2',
  '\tinet 178.32.70.110 netmask 0xffffffff broadcast 178.32.70.110',
  '\tinet 51.68.252.230 netmask 0xffffffff broadcast 51.68.252.230 vhid 2',
  '\tcarp: MASTER vhid 2 advbase 1 advskew 100',
  '\t      peer 224.0.0.18 peer6 ff02::12',
  '\tmedia: Ethernet autoselect',
  '\tstatus: active',
  '',
].join('\n');

const REFERENCE_13 = [
  'vmx1: flags=8843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST> metric 0 mtu 1500',
  '\tether 00:50:56:09:3c:f2',
  '\tinet 178.32.70.110 netmask 0xffffffff broadcast 178.32.70.110',
  '\tinet 51.68.252.230 netmask 0xffffffff broadcast 51.68.252.230 vhid 2',
  '\tcarp: MASTER vhid 2 advbase 1 advskew 100',
  '\tmedia: Ethernet autoselect',
  '\tstatus: active',
  '',
].join('\n');

function referenceRouter(): FakeKernelSetup {
  const vmx1 = routerInterface({
    ether: '00:50:56:09:3c:f2',
    address: '178.32.70.110',
    vips: [{ vhid: 2, state: 'MASTER', addresses: ['51.68.252.230'], advskew: 100 }],
  });
  return { interfaces: { vmx1: { ...vmx1, nd6: null } } };
}

describe('fake ifconfig', () => {
  it('prints the FreeBSD 14 format of the reference byte for byte', async () => {
    const kernel = createFakeKernel(makeTempDir('fake-ifconfig-14'), referenceRouter());
    const run = await runTool(kernel.ifconfigPath, ['vmx1']);
    assert.equal(run.stdout, REFERENCE_14);
    assert.equal(run.stderr, '');
    assert.equal(run.exitCode, 0);
  });

  it('prints the 13 format: no LOWER_UP, no peer line', async () => {
    const kernel = createFakeKernel(makeTempDir('fake-ifconfig-13'), referenceRouter(), { freebsdVersion: 13 });
    const run = await runTool(kernel.ifconfigPath, ['vmx1']);
    assert.equal(run.stdout, REFERENCE_13);
    assert.equal(run.exitCode, 0);
  });

  it('prints options, inet before inet6, one carp line per vhid, and the nd6 line', async () => {
    const kernel = createFakeKernel(makeTempDir('fake-ifconfig-full'), {
      interfaces: {
        vmx1: {
          options: '4e403bb<RXCSUM,TXCSUM,VLAN_MTU,VLAN_HWTAGGING,JUMBO_MTU,VLAN_HWCSUM,TSO4,TSO6,VLAN_HWTSO,RXCSUM_IPV6,TXCSUM_IPV6,HWSTATS,MEXTPG>',
          ether: '00:50:56:09:3c:f2',
          inet: [
            { addr: '10.0.0.2', netmask: '255.255.255.0' },
            { addr: '51.68.252.230', netmask: '0xffffffff', vhid: 2 },
            { addr: '51.68.252.231', netmask: 32, vhid: 3 },
          ],
          inet6: [
            { addr: 'fe80::250:56ff:fe09:3cf2', prefixlen: 64, scopeid: 1 },
            { addr: '2001:41d0:1:2::10', prefixlen: 64, vhid: 2 },
          ],
          carp: [
            { vhid: 2, state: 'BACKUP', advbase: 1, advskew: 100 },
            { vhid: 3, state: 'MASTER', advbase: 2, advskew: 0 },
          ],
          media: 'Ethernet autoselect (10Gbase-T <full-duplex>)',
        },
      },
    });
    const run = await runTool(kernel.ifconfigPath, ['vmx1']);
    assert.equal(
      run.stdout,
      [
        'vmx1: flags=1008843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST,LOWER_UP> metric 0 mtu 1500',
        '\toptions=4e403bb<RXCSUM,TXCSUM,VLAN_MTU,VLAN_HWTAGGING,JUMBO_MTU,VLAN_HWCSUM,TSO4,TSO6,VLAN_HWTSO,RXCSUM_IPV6,TXCSUM_IPV6,HWSTATS,MEXTPG>',
        '\tether 00:50:56:09:3c:f2',
        '\tinet 10.0.0.2 netmask 0xffffff00 broadcast 10.0.0.255',
        '\tinet 51.68.252.230 netmask 0xffffffff broadcast 51.68.252.230 vhid 2',
        '\tinet 51.68.252.231 netmask 0xffffffff broadcast 51.68.252.231 vhid 3',
        '\tinet6 fe80::250:56ff:fe09:3cf2%vmx1 prefixlen 64 scopeid 0x1',
        '\tinet6 2001:41d0:1:2::10 prefixlen 64 vhid 2',
        '\tcarp: BACKUP vhid 2 advbase 1 advskew 100',
        '\t      peer 224.0.0.18 peer6 ff02::12',
        '\tcarp: MASTER vhid 3 advbase 2 advskew 0',
        '\t      peer 224.0.0.18 peer6 ff02::12',
        '\tmedia: Ethernet autoselect (10Gbase-T <full-duplex>)',
        '\tstatus: active',
        '\tnd6 options=21<PERFORMNUD,AUTO_LINKLOCAL>',
        '',
      ].join('\n'),
    );
  });

  it('answers an unknown interface with the real error text and exit 1', async () => {
    const kernel = createFakeKernel(makeTempDir('fake-ifconfig-unknown'), referenceRouter());
    const run = await runTool(kernel.ifconfigPath, ['vmx9']);
    assert.deepEqual(run, { stdout: '', stderr: 'ifconfig: interface vmx9 does not exist\n', exitCode: 1 });
    assert.equal(kernel.calls().at(-1)?.exitCode, 1);
  });

  it('lists every interface without arguments, and their names with -l', async () => {
    const kernel = createFakeKernel(makeTempDir('fake-ifconfig-all'), {
      interfaces: {
        vmx0: { ether: '00:50:56:00:00:01', inet: [{ addr: '10.0.0.1', netmask: 24 }] },
        vmx1: { ether: '00:50:56:00:00:02' },
        lo0: { flags: 0x1008049, mtu: 16384, inet: [{ addr: '127.0.0.1', netmask: 8 }], media: null, status: null, nd6: '21<PERFORMNUD,AUTO_LINKLOCAL>' },
      },
    });
    const all = await runTool(kernel.ifconfigPath, []);
    assert.deepEqual(
      all.stdout.split('\n').filter((line) => !line.startsWith('\t')),
      [
        'vmx0: flags=1008843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST,LOWER_UP> metric 0 mtu 1500',
        'vmx1: flags=1008843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST,LOWER_UP> metric 0 mtu 1500',
        'lo0: flags=1008049<UP,LOOPBACK,RUNNING,MULTICAST,LOWER_UP> metric 0 mtu 16384',
        '',
      ],
    );
    // A loopback has no IFF_BROADCAST, so no broadcast address.
    assert.match(all.stdout, /\tinet 127\.0\.0\.1 netmask 0xff000000\n/);
    assert.equal((await runTool(kernel.ifconfigPath, ['-l'])).stdout, 'vmx0 vmx1 lo0\n');
  });

  it('forces a CARP state like `ifconfig vmx1 vhid 2 state backup`, and logs it as the kernel does', async () => {
    const kernel = createFakeKernel(makeTempDir('fake-ifconfig-state'), referenceRouter());
    const run = await runTool(kernel.ifconfigPath, ['vmx1', 'vhid', '2', 'state', 'backup']);
    assert.deepEqual(run, { stdout: '', stderr: '', exitCode: 0 });
    assert.equal(kernel.read().interfaces.vmx1?.carp?.[0]?.state, 'BACKUP');
    assert.match((await runTool(kernel.ifconfigPath, ['vmx1'])).stdout, /\tcarp: BACKUP vhid 2 advbase 1 advskew 100\n/);
    assert.deepEqual(kernel.kernelLog(), ['carp: 2@vmx1: MASTER -> BACKUP (user requested via ifconfig)']);

    // carp(4) ignores a request for INIT.
    await runTool(kernel.ifconfigPath, ['vmx1', 'vhid', '2', 'state', 'INIT']);
    assert.equal(kernel.read().interfaces.vmx1?.carp?.[0]?.state, 'BACKUP');

    await runTool(kernel.ifconfigPath, ['vmx1', 'vhid', '2', 'state', 'master', 'advskew', '50']);
    assert.deepEqual(kernel.read().interfaces.vmx1?.carp?.[0], { vhid: 2, state: 'MASTER', advbase: 1, advskew: 50 });

    // Nor can a vhid in INIT (parent link down) be forced anywhere.
    kernel.setCarpState('vmx1', 2, 'INIT');
    await runTool(kernel.ifconfigPath, ['vmx1', 'vhid', '2', 'state', 'master']);
    assert.equal(kernel.read().interfaces.vmx1?.carp?.[0]?.state, 'INIT');
  });

  it("rejects bad carp arguments with ifconfig's messages", async () => {
    const kernel = createFakeKernel(makeTempDir('fake-ifconfig-bad'), referenceRouter());
    const cases: Array<[string[], string]> = [
      [['vmx1', 'vhid', '2', 'state', 'primary'], 'ifconfig: unknown state\n'],
      [['vmx1', 'vhid', '0', 'state', 'master'], 'ifconfig: vhid must be greater than 0 and less than 255\n'],
      [['vmx1', 'vhid', '256'], 'ifconfig: vhid must be greater than 0 and less than 255\n'],
      [['vmx1', 'state', 'master'], 'ifconfig: state requires vhid\n'],
      [['vmx1', 'vhid'], "ifconfig: 'vhid' requires argument\n"],
      [['vmx9', 'vhid', '2', 'state', 'master'], 'ifconfig: interface vmx9 does not exist\n'],
      [['vmx1', 'vhid', '2', 'advskew', '255'], 'ifconfig: SIOCSVH: Invalid argument\n'],
    ];
    for (const [args, stderr] of cases) {
      assert.deepEqual(await runTool(kernel.ifconfigPath, args), { stdout: '', stderr, exitCode: 1 }, args.join(' '));
    }
    assert.equal(kernel.read().interfaces.vmx1?.carp?.[0]?.state, 'MASTER');
  });

  it('follows setCarpState from the test side, logging the transition', async () => {
    const kernel = createFakeKernel(makeTempDir('fake-ifconfig-elect'), referenceRouter());
    kernel.setCarpState('vmx1', 2, 'BACKUP');
    assert.match((await runTool(kernel.ifconfigPath, ['vmx1'])).stdout, /carp: BACKUP vhid 2/);
    assert.deepEqual(kernel.kernelLog(), ['carp: 2@vmx1: MASTER -> BACKUP (more frequent advertisement received)']);
    assert.throws(() => kernel.setCarpState('vmx1', 9, 'MASTER'), /no vhid 9 on vmx1/);
  });

  it('adds a /32 alias (twice is fine), removes it, and refuses to remove one that is not there, with the errors of ifconfig.c', async () => {
    const kernel = createFakeKernel(makeTempDir('fake-ifconfig-alias'), referenceRouter());
    const add = ['vmx1', 'inet', '146.59.143.231/32', 'alias'];
    assert.deepEqual(await runTool(kernel.ifconfigPath, add), { stdout: '', stderr: '', exitCode: 0 });
    // SIOCAIFADDR of an address the interface has replaces it: no error, still one line.
    assert.deepEqual(await runTool(kernel.ifconfigPath, add), { stdout: '', stderr: '', exitCode: 0 });
    const shown = (await runTool(kernel.ifconfigPath, ['vmx1'])).stdout;
    assert.equal(shown.match(/^\tinet 146\.59\.143\.231 netmask 0xffffffff broadcast 146\.59\.143\.231$/gm)?.length, 1, shown);
    // The alias goes after the addresses already there; the CARP address keeps its vhid.
    assert.match(shown, /vhid 2\n\tinet 146\.59\.143\.231 netmask 0xffffffff/);

    assert.deepEqual(await runTool(kernel.ifconfigPath, ['vmx1', 'inet', '146.59.143.231', '-alias']), { stdout: '', stderr: '', exitCode: 0 });
    assert.doesNotMatch((await runTool(kernel.ifconfigPath, ['vmx1'])).stdout, /146\.59\.143\.231/);
    const cases: Array<[string[], string]> = [
      [['vmx1', 'inet', '146.59.143.231', '-alias'], "ifconfig: ioctl (SIOCDIFADDR): Can't assign requested address\n"],
      [['vmx1', 'inet', '146.59.143.231', 'delete'], "ifconfig: ioctl (SIOCDIFADDR): Can't assign requested address\n"],
      [['vmx1', 'inet', '146.59.143.999/32', 'alias'], 'ifconfig: 146.59.143.999/32: bad value\n'],
      [['vmx1', 'inet', '146.59.143.231/33', 'alias'], 'ifconfig: 146.59.143.231/33: bad value\n'],
      [['vmx9', 'inet', '146.59.143.231/32', 'alias'], 'ifconfig: interface vmx9 does not exist\n'],
    ];
    for (const [args, stderr] of cases) {
      assert.deepEqual(await runTool(kernel.ifconfigPath, args), { stdout: '', stderr, exitCode: 1 }, args.join(' '));
    }
    // Without a mask the kernel falls back to the address's class (146 is class B).
    await runTool(kernel.ifconfigPath, ['vmx1', 'inet', '146.59.143.232', 'alias']);
    assert.match((await runTool(kernel.ifconfigPath, ['vmx1'])).stdout, /inet 146\.59\.143\.232 netmask 0xffff0000 broadcast 146\.59\.255\.255/);
  });
});
