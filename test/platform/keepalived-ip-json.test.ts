import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CarpOvhError } from '../../src/errors.ts';
import { parseIpAddrJson } from '../../src/platform/keepalived/ip-json.ts';

/** `ip -j addr show dev eth0` from iproute2 6.1 (Debian 12) on a keepalived MASTER. */
const MASTER_OUTPUT = JSON.stringify([
  {
    ifindex: 2,
    link_index: 2,
    ifname: 'eth0',
    flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'],
    mtu: 1500,
    qdisc: 'noqueue',
    operstate: 'UP',
    group: 'default',
    txqlen: 1000,
    link_type: 'ether',
    address: '00:50:56:09:98:FC',
    broadcast: 'ff:ff:ff:ff:ff:ff',
    link_netnsid: 0,
    addr_info: [
      { family: 'inet', local: '192.0.2.1', prefixlen: 24, scope: 'global', label: 'eth0', valid_life_time: 4294967295, preferred_life_time: 4294967295 },
      { family: 'inet', local: '198.51.100.10', prefixlen: 32, scope: 'global', label: 'eth0', valid_life_time: 4294967295, preferred_life_time: 4294967295 },
      { family: 'inet6', local: 'fe80::250:56ff:fe09:98fc', prefixlen: 64, scope: 'link', valid_life_time: 4294967295, preferred_life_time: 4294967295 },
    ],
  },
]);

function refused(text: string, pattern: RegExp, iface = 'eth0'): void {
  assert.throws(
    () => parseIpAddrJson(text, iface),
    (error: unknown) => error instanceof CarpOvhError && error.badInput && error.source === 'platform' && pattern.test(error.message),
    text.slice(0, 80),
  );
}

describe('ip -j addr show dev IF', () => {
  it('reads the MAC (lower case) and every inet/inet6 address', () => {
    const link = parseIpAddrJson(MASTER_OUTPUT, 'eth0');
    assert.equal(link.mac, '00:50:56:09:98:fc');
    assert.equal(link.operstate, 'UP');
    assert.deepEqual(link.addresses, ['192.0.2.1', '198.51.100.10', 'fe80::250:56ff:fe09:98fc']);
  });

  it('a link without addresses, and one without a link-layer address (wireguard)', () => {
    assert.deepEqual(parseIpAddrJson('[{"ifname":"eth1","link_type":"ether","address":"02:00:00:00:00:01","addr_info":[]}]', 'eth1').addresses, []);
    assert.deepEqual(parseIpAddrJson('[{"ifname":"eth1","link_type":"ether","address":"02:00:00:00:00:01"}]', 'eth1').addresses, []);
    const wg = parseIpAddrJson('[{"ifname":"wg0","link_type":"none","addr_info":[{"family":"inet","local":"10.0.0.1","prefixlen":24}]}]', 'wg0');
    assert.equal(wg.mac, null);
    assert.deepEqual(wg.addresses, ['10.0.0.1']);
  });

  it('skips families that are not addresses', () => {
    assert.deepEqual(
      parseIpAddrJson('[{"ifname":"eth0","link_type":"ether","address":"02:00:00:00:00:01","addr_info":[{"family":"mpls"}]}]', 'eth0').addresses,
      [],
    );
  });

  it('refuses output of any other shape', () => {
    refused('', /not JSON/);
    refused('2: eth0: <BROADCAST> mtu 1500', /not JSON.*iproute2/);
    refused('{}', /expected a JSON array/);
    refused('[]', /got 0 interfaces/);
    refused('[{"ifname":"eth0"},{"ifname":"eth1"}]', /got 2 interfaces/);
    refused('[{"ifname":"eth1","link_type":"ether","address":"02:00:00:00:00:01"}]', /asked for eth0, got "eth1"/);
    refused('[42]', /not a JSON object/);
    refused('[{"ifname":"eth0","link_type":"ether","address":"zz"}]', /no valid link-layer address/);
    refused('[{"ifname":"eth0","link_type":"ether"}]', /no valid link-layer address/);
    refused('[{"ifname":"eth0","link_type":"ether","address":"02:00:00:00:00:01","addr_info":{}}]', /"addr_info" is not an array/);
    refused('[{"ifname":"eth0","link_type":"ether","address":"02:00:00:00:00:01","addr_info":[{"family":"inet","local":"300.1.1.1"}]}]', /not an IPv4 address/);
    refused('[{"ifname":"eth0","link_type":"ether","address":"02:00:00:00:00:01","addr_info":[{"family":"inet"}]}]', /no "local"/);
    refused('[{"ifname":"eth0","link_type":"ether","address":"02:00:00:00:00:01","addr_info":["x"]}]', /addr_info\[0\] is not an object/);
    refused('[{"ifname":7}]', /"ifname" is number/);
  });
});
