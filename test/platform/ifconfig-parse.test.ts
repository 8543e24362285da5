import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CarpOvhError } from '../../src/errors.ts';
import { parseIfconfig, parseIfconfigAll } from '../../src/platform/freebsd/ifconfig-parse.ts';
import { formatInterface } from '../support/fake-freebsd/format-ifconfig.ts';
import type { FakeInterface } from '../support/fake-freebsd/index.ts';

/** Verbatim from shared/reference/carp-platforms.md (FreeBSD 14). */
const FREEBSD_14 = `vmx1: flags=1008843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST,LOWER_UP> metric 0 mtu 1500
	ether 00:50:56:09:3c:f2
	inet 178.32.70.110 netmask 0xffffffff broadcast 178.32.70.110
	inet 51.68.252.230 netmask 0xffffffff broadcast 51.68.252.230 vhid 2
	carp: MASTER vhid 2 advbase 1 advskew 100
	      peer 224.0.0.18 peer6 ff02::12
	media: Ethernet autoselect
	status: active
`;

/** 13.x: no LOWER_UP, no peer line; addresses in kernel order (inet6 interleaved). */
const FREEBSD_13 = `vmx1: flags=8843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST> metric 0 mtu 1500
	options=e403bb<RXCSUM,TXCSUM,VLAN_MTU,VLAN_HWTAGGING,JUMBO_MTU,VLAN_HWCSUM,TSO4,TSO6,VLAN_HWTSO,RXCSUM_IPV6,TXCSUM_IPV6>
	ether 00:50:56:09:3C:F3
	inet6 fe80::250:56ff:fe09:3cf3%vmx1 prefixlen 64 scopeid 0x2
	inet 178.32.70.111 netmask 0xffffffff broadcast 178.32.70.111
	inet 51.68.252.230 netmask 0xffffffff broadcast 51.68.252.230 vhid 2
	inet6 2001:41d0:303:e16e::230 prefixlen 64 vhid 2
	inet 51.68.252.231 netmask 0xffffffff broadcast 51.68.252.231 vhid 3
	carp: BACKUP vhid 2 advbase 1 advskew 0
	carp: INIT vhid 3 advbase 2 advskew 20
	media: Ethernet autoselect
	status: active
	nd6 options=21<PERFORMNUD,AUTO_LINKLOCAL>
`;

function rejectsAsBadOutput(text: string, pattern: RegExp, name = 'vmx1'): void {
  assert.throws(
    () => parseIfconfig(text, name),
    (error: unknown) => error instanceof CarpOvhError && error.source === 'platform' && error.badInput && pattern.test(error.message),
  );
}

describe('parseIfconfig', () => {
  it('reads the FreeBSD 14 sample of the reference', () => {
    assert.deepEqual(parseIfconfig(FREEBSD_14, 'vmx1'), {
      name: 'vmx1',
      ether: '00:50:56:09:3c:f2',
      vhids: [{ vhid: 2, state: 'MASTER', advbase: 1, advskew: 100, addresses: ['51.68.252.230'] }],
      inet: ['178.32.70.110', '51.68.252.230'],
    });
  });

  it('reads 13.x output with several vhids, inet6 VIPs and a link-local address', () => {
    assert.deepEqual(parseIfconfig(FREEBSD_13, 'vmx1'), {
      name: 'vmx1',
      ether: '00:50:56:09:3c:f3',
      vhids: [
        { vhid: 2, state: 'BACKUP', advbase: 1, advskew: 0, addresses: ['51.68.252.230', '2001:41d0:303:e16e::230'] },
        { vhid: 3, state: 'INIT', advbase: 2, advskew: 20, addresses: ['51.68.252.231'] },
      ],
      inet: ['178.32.70.111', '51.68.252.230', '51.68.252.231'],
    });
  });

  it('returns no vhids for an interface without carp, and a null MAC when none is printed', () => {
    const plain =
      'vmx0: flags=1008843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST,LOWER_UP> metric 0 mtu 1500\n\tether 00:50:56:00:00:01\n\tinet 10.0.0.1 netmask 0xffffff00 broadcast 10.0.0.255\n';
    assert.deepEqual(parseIfconfig(plain, 'vmx0'), { name: 'vmx0', ether: '00:50:56:00:00:01', vhids: [], inet: ['10.0.0.1'] });
    const loopback = 'lo0: flags=1008049<UP,LOOPBACK,RUNNING,MULTICAST,LOWER_UP> metric 0 mtu 16384\n\tinet 127.0.0.1 netmask 0xff000000\n\tgroups: lo\n';
    assert.deepEqual(parseIfconfig(loopback, 'lo0'), { name: 'lo0', ether: null, vhids: [], inet: ['127.0.0.1'] });
  });

  it('keeps a vhid that has no address yet, and the key of `ifconfig -k` does not disturb it', () => {
    const text = 'vmx1: flags=8843<UP> metric 0 mtu 1500\n\tcarp: BACKUP vhid 7 advbase 1 advskew 0 key "secret"\n';
    assert.deepEqual(parseIfconfig(text, 'vmx1').vhids, [{ vhid: 7, state: 'BACKUP', advbase: 1, advskew: 0, addresses: [] }]);
  });

  it('accepts CRLF line ends and a flags word without names', () => {
    const text = 'vmx1: flags=0 metric 0 mtu 1500\r\n\tether 00:50:56:09:3c:f2\r\n\tcarp: MASTER vhid 1 advbase 1 advskew 0\r\n';
    assert.equal(parseIfconfig(text, 'vmx1').vhids[0]?.state, 'MASTER');
  });

  it('reads what the fake prints, for 13 and 14 alike', () => {
    const iface: FakeInterface = {
      ether: '00:50:56:aa:bb:cc',
      inet: [
        { addr: '10.1.0.2', netmask: 24 },
        { addr: '10.1.0.10', netmask: 32, vhid: 10 },
      ],
      inet6: [
        { addr: 'fe80::1', prefixlen: 64, scopeid: 3 },
        { addr: '2001:db8::10', prefixlen: 64, vhid: 10 },
      ],
      carp: [
        { vhid: 10, state: 'MASTER', advbase: 1, advskew: 240 },
        { vhid: 11, state: 'BACKUP', advbase: 3, advskew: 1 },
      ],
    };
    for (const version of [13, 14] as const) {
      assert.deepEqual(parseIfconfig(formatInterface('vlan10', iface, version), 'vlan10'), {
        name: 'vlan10',
        ether: '00:50:56:aa:bb:cc',
        vhids: [
          { vhid: 10, state: 'MASTER', advbase: 1, advskew: 240, addresses: ['10.1.0.10', '2001:db8::10'] },
          { vhid: 11, state: 'BACKUP', advbase: 3, advskew: 1, addresses: [] },
        ],
        inet: ['10.1.0.2', '10.1.0.10'],
      });
    }
  });

  it('lists every interface of a plain `ifconfig`', () => {
    const all = parseIfconfigAll(`${FREEBSD_14}lo0: flags=8049<UP,LOOPBACK,RUNNING,MULTICAST> metric 0 mtu 16384\n\tinet 127.0.0.1 netmask 0xff000000\n`);
    assert.deepEqual(
      all.map((iface) => iface.name),
      ['vmx1', 'lo0'],
    );
  });

  it('refuses garbage, never guessing', () => {
    rejectsAsBadOutput('', /empty/);
    rejectsAsBadOutput('\n\n', /empty/);
    rejectsAsBadOutput('<html><body>502 Bad Gateway</body></html>\n', /expected "NAME: flags=…"/);
    rejectsAsBadOutput('\tcarp: MASTER vhid 2 advbase 1 advskew 100\n', /before any interface header/);
    rejectsAsBadOutput('vmx1: flags=8843<UP> metric 0 mtu 1500\n\tcarp: MASTER vhid 2 advbase\n', /cannot read the carp line/);
    rejectsAsBadOutput('vmx1: flags=8843<UP> metric 0 mtu 1500\n\tcarp: PRIMARY vhid 2 advbase 1 advskew 0\n', /unknown CARP state/);
    rejectsAsBadOutput('vmx1: flags=8843<UP> metric 0 mtu 1500\n\tcarp: MASTER vhid 0 advbase 1 advskew 0\n', /vhid must be 1-255/);
    rejectsAsBadOutput('vmx1: flags=8843<UP> metric 0 mtu 1500\n\tinet 1.2.3.4 netmask 0xffffffff vhid 256\n', /vhid must be 1-255/);
    rejectsAsBadOutput('vmx1: flags=8843<UP> metric 0 mtu 1500\n\tinet 1.2.3 netmask 0xffffffff vhid 2\n', /not an IPv4 address/);
    rejectsAsBadOutput('vmx1: flags=8843<UP> metric 0 mtu 1500\n\tinet6 fe80::zz prefixlen 64\n', /not an IPv6 address/);
    rejectsAsBadOutput('vmx1: flags=8843<UP> metric 0 mtu 1500\n\tether 00:50:56:09:3c\n', /not a MAC address/);
    rejectsAsBadOutput(
      'vmx1: flags=8843<UP> metric 0 mtu 1500\n\tcarp: MASTER vhid 2 advbase 1 advskew 0\n\tcarp: BACKUP vhid 2 advbase 1 advskew 0\n',
      /vhid 2 listed twice/,
    );
    rejectsAsBadOutput(FREEBSD_14, /asked for vmx2, got vmx1/, 'vmx2');
    rejectsAsBadOutput(`${FREEBSD_14}${FREEBSD_14.replace('vmx1:', 'vmx2:')}`, /got 2 interfaces/);
  });
});
