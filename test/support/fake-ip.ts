/**
 * A stand-in for iproute2's `ip` for tests that need no root: `ip -j addr show
 * dev IF` prints the JSON saved for IF (what iproute2 prints, see
 * test/platform/keepalived-ip-json.test.ts for a captured answer) or, when IF
 * has none, iproute2's own `Device "IF" does not exist.` with exit status 1.
 * `ip addr add|del A/32 dev IF` edits that JSON the way the kernel would,
 * answering iproute2's errors for an address already there or not there.
 * Every call's argv is recorded.
 */
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from './tmp.ts';

export interface FakeLink {
  ifname: string;
  mac: string | null;
  addresses: string[];
}

export interface FakeIp {
  path: string;
  dir: string;
  setLink(link: FakeLink): void;
  /** Raw stdout for `ip -j addr show dev IF` (malformed output tests). */
  setRaw(ifname: string, text: string): void;
  removeLink(ifname: string): void;
  link(ifname: string): FakeLink | null;
  calls(): string[][];
}

const SCRIPT = `'use strict';
const fs = require('node:fs');
const path = require('node:path');
const dir = __dirname;
const argv = process.argv.slice(2);
fs.appendFileSync(path.join(dir, 'calls'), JSON.stringify(argv) + '\\n');
const linkFile = (name) => path.join(dir, 'link-' + name + '.json');
const fail = (message) => { process.stderr.write(message + '\\n'); process.exit(2); };
if (argv[0] === '-j' && argv[1] === 'addr' && argv[2] === 'show' && argv[3] === 'dev' && argv.length === 5) {
  const file = linkFile(argv[4]);
  if (!fs.existsSync(file)) { process.stderr.write('Device "' + argv[4] + '" does not exist.\\n'); process.exit(1); }
  process.stdout.write(fs.readFileSync(file, 'utf8'));
  process.exit(0);
}
if (argv[0] === 'addr' && (argv[1] === 'add' || argv[1] === 'del') && argv[3] === 'dev' && argv.length === 5) {
  const file = linkFile(argv[4]);
  if (!fs.existsSync(file)) { process.stderr.write('Cannot find device "' + argv[4] + '"\\n'); process.exit(1); }
  const links = JSON.parse(fs.readFileSync(file, 'utf8'));
  const address = argv[2].replace(/\\/32$/, '');
  const infos = links[0].addr_info;
  const at = infos.findIndex((info) => info.local === address);
  if (argv[1] === 'add') {
    if (at !== -1) { process.stderr.write('RTNETLINK answers: File exists\\n'); process.exit(2); }
    infos.push({ family: 'inet', local: address, prefixlen: 32, scope: 'global', label: argv[4] });
  } else {
    if (at === -1) { process.stderr.write('RTNETLINK answers: Cannot assign requested address\\n'); process.exit(2); }
    infos.splice(at, 1);
  }
  fs.writeFileSync(file, JSON.stringify(links));
  process.exit(0);
}
fail('fake ip: unsupported arguments ' + JSON.stringify(argv));
`;

export function createFakeIp(label = 'fake-ip'): FakeIp {
  const dir = makeTempDir(label);
  const script = join(dir, 'ip.cjs');
  writeFileSync(script, SCRIPT);
  const path = join(dir, 'ip');
  writeFileSync(path, `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(script)} "$@"\n`);
  chmodSync(path, 0o755);
  const linkFile = (name: string): string => join(dir, `link-${name}.json`);
  return {
    path,
    dir,
    setLink(link) {
      const infos = link.addresses.map((local) => ({
        family: local.includes(':') ? 'inet6' : 'inet',
        local,
        prefixlen: local.includes(':') ? 64 : 24,
        scope: 'global',
        label: link.ifname,
      }));
      const json = [
        {
          ifindex: 2,
          ifname: link.ifname,
          flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'],
          mtu: 1500,
          operstate: 'UP',
          link_type: link.mac === null ? 'none' : 'ether',
          ...(link.mac === null ? {} : { address: link.mac, broadcast: 'ff:ff:ff:ff:ff:ff' }),
          addr_info: infos,
        },
      ];
      writeFileSync(linkFile(link.ifname), JSON.stringify(json));
    },
    setRaw: (ifname, text) => writeFileSync(linkFile(ifname), text),
    removeLink: (ifname) => rmSync(linkFile(ifname), { force: true }),
    link(ifname) {
      const file = linkFile(ifname);
      if (!existsSync(file)) return null;
      const [link] = JSON.parse(readFileSync(file, 'utf8')) as Array<{ ifname: string; address?: string; addr_info: Array<{ local: string }> }>;
      return link === undefined ? null : { ifname: link.ifname, mac: link.address ?? null, addresses: link.addr_info.map((info) => info.local) };
    },
    calls: () =>
      existsSync(join(dir, 'calls'))
        ? readFileSync(join(dir, 'calls'), 'utf8')
            .split('\n')
            .filter((line) => line !== '')
            .map((line) => JSON.parse(line) as string[])
        : [],
  };
}
