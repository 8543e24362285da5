import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runTool as runToolWithin } from '../support/fake-freebsd/exec.ts';

/** Generous: a loaded machine may take seconds to start a tool. */
const runTool = (path: string, args: readonly string[]) => runToolWithin(path, args, { timeoutMs: 120_000 });
import { createFakeOpenBsd, edgeInstance, type ObsdKernelSetup } from '../support/fake-openbsd/index.ts';
import { makeTempDir } from '../support/tmp.ts';

/** What the seed's master prints for `ifconfig carp0` (an OpenBSD edge instance on OVH Public Cloud). */
const SEED_MASTER = [
  'carp0: flags=8843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST> mtu 1500',
  '\tlladdr 00:00:5e:00:01:01',
  '\tindex 6 priority 15 llprio 3',
  '\tcarp: MASTER carpdev vio2 vhid 1 advbase 1 advskew 50',
  '\tgroups: carp',
  '\tstatus: master',
  '\tinet 10.25.0.10 netmask 0xffff0000 broadcast 10.25.255.255',
  '',
].join('\n');

const SEED_BACKUP = SEED_MASTER.replace('MASTER carpdev vio2 vhid 1 advbase 1 advskew 50', 'BACKUP carpdev vio2 vhid 1 advbase 1 advskew 1').replace(
  'status: master',
  'status: backup',
);

function seedInstance(state: 'MASTER' | 'BACKUP', advskew: number, dialect?: ObsdKernelSetup['dialect']): ObsdKernelSetup {
  return {
    interfaces: edgeInstance({
      carpState: state,
      advskew,
      vio0: { lladdr: 'fa:16:3e:00:00:0a', address: '51.75.0.10' },
      vio2: { lladdr: 'fa:16:3e:00:02:0a', address: '10.25.0.1' },
    }),
    ...(dialect === undefined ? {} : { dialect }),
  };
}

describe('fake OpenBSD ifconfig', () => {
  it("prints the seed's carp0 on the master and on the backup byte for byte", async () => {
    const master = createFakeOpenBsd(makeTempDir('obsd-master'), seedInstance('MASTER', 50));
    assert.deepEqual(await runTool(master.ifconfigPath, ['carp0']), { stdout: SEED_MASTER, stderr: '', exitCode: 0 });
    const backup = createFakeOpenBsd(makeTempDir('obsd-backup'), seedInstance('BACKUP', 1));
    assert.equal((await runTool(backup.ifconfigPath, ['carp0'])).stdout, SEED_BACKUP);
  });

  it('prints a NIC with media and status, a group by name, and an unknown interface as an error', async () => {
    const k = createFakeOpenBsd(makeTempDir('obsd-nic'), seedInstance('MASTER', 50));
    assert.equal(
      (await runTool(k.ifconfigPath, ['vio0'])).stdout,
      [
        'vio0: flags=8843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST> mtu 1500',
        '\tlladdr fa:16:3e:00:00:0a',
        '\tindex 1 priority 0 llprio 3',
        '\tgroups: egress',
        '\tmedia: Ethernet autoselect',
        '\tstatus: active',
        '\tinet 51.75.0.10 netmask 0xffffffff broadcast 51.75.0.10',
        '',
      ].join('\n'),
    );
    assert.equal((await runTool(k.ifconfigPath, ['carp'])).stdout, SEED_MASTER);
    assert.deepEqual(await runTool(k.ifconfigPath, ['carp9']), { stdout: '', stderr: 'ifconfig: carp9: no such interface\n', exitCode: 1 });
  });

  it('reads and changes the carp group demote counter like `ifconfig -g carp [-]carpdemote N`', async () => {
    const k = createFakeOpenBsd(makeTempDir('obsd-demote'), seedInstance('MASTER', 50));
    assert.deepEqual(await runTool(k.ifconfigPath, ['-g', 'carp']), { stdout: 'carp: carp demote count 0\n', stderr: '', exitCode: 0 });
    assert.equal((await runTool(k.ifconfigPath, ['-g', 'carp', 'carpdemote'])).exitCode, 0); // default 1
    assert.equal((await runTool(k.ifconfigPath, ['-g', 'carp', 'carpdemote', '50'])).exitCode, 0);
    assert.equal((await runTool(k.ifconfigPath, ['-g', 'carp'])).stdout, 'carp: carp demote count 51\n');
    assert.equal((await runTool(k.ifconfigPath, ['-g', 'carp', '-carpdemote', '50'])).exitCode, 0);
    assert.equal(k.demoteCount(), 1);
    assert.equal((await runTool(k.ifconfigPath, ['-g', 'carp', '-carpdemote'])).exitCode, 0);
    assert.equal(k.demoteCount(), 0);
  });

  for (const dialect of [
    { demoteRange: 'EINVAL', groupErrors: 'named' },
    { demoteRange: 'ERANGE', groupErrors: 'bare' },
  ] as const) {
    it(`refuses a counter outside 0..255 and leaves it alone (${dialect.demoteRange}, ${dialect.groupErrors} errors)`, async () => {
      const k = createFakeOpenBsd(makeTempDir('obsd-bounds'), seedInstance('MASTER', 50, dialect));
      const prefix = dialect.groupErrors === 'named' ? 'carp: ' : '';
      const errno = dialect.demoteRange === 'EINVAL' ? 'Invalid argument' : 'Result too large';
      const below = await runTool(k.ifconfigPath, ['-g', 'carp', '-carpdemote', '1']);
      assert.deepEqual(below, { stdout: '', stderr: `ifconfig: ${prefix}SIOCSIFGATTR: ${errno}\n`, exitCode: 1 });
      assert.equal(k.demoteCount(), 0);
      for (const step of ['128', '127']) assert.equal((await runTool(k.ifconfigPath, ['-g', 'carp', 'carpdemote', step])).exitCode, 0);
      assert.equal(k.demoteCount(), 255);
      assert.equal((await runTool(k.ifconfigPath, ['-g', 'carp', 'carpdemote', '1'])).exitCode, 1);
      assert.equal(k.demoteCount(), 255);
      // ifconfig itself refuses N outside 0..128 before asking the kernel.
      const large = await runTool(k.ifconfigPath, ['-g', 'carp', '-carpdemote', '129']);
      assert.deepEqual(large, { stdout: '', stderr: `ifconfig: ${prefix}invalid carp demotion: too large\n`, exitCode: 1 });
      assert.match((await runTool(k.ifconfigPath, ['-g', 'carp', 'carpdemote', 'x'])).stderr, /invalid carp demotion: invalid\n$/);
      assert.match((await runTool(k.ifconfigPath, ['-g', 'carp', 'carpdemote', '-3'])).stderr, /invalid carp demotion: too small\n$/);
      assert.equal(k.demoteCount(), 255);
      assert.match((await runTool(k.ifconfigPath, ['-g', 'nosuch'])).stderr, /SIOCGIFGATTR: No such file or directory\n$/);
    });
  }

  it('resets the counter at boot and changes kern.boottime', async () => {
    const k = createFakeOpenBsd(makeTempDir('obsd-boot'), seedInstance('MASTER', 50));
    await runTool(k.ifconfigPath, ['-g', 'carp', 'carpdemote', '16']);
    const before = (await runTool(k.sysctlPath, ['-n', 'kern.boottime'])).stdout;
    assert.match(before, /^\d+\n$/);
    k.reboot();
    assert.equal(k.demoteCount(), 0);
    const after = (await runTool(k.sysctlPath, ['-n', 'kern.boottime'])).stdout;
    assert.notEqual(after, before);
    assert.equal(Number(after) - Number(before), 3600);
    assert.match((await runTool(k.ifconfigPath, ['carp0'])).stdout, /\tcarp: INIT carpdev vio2 .*\n\tgroups: carp\n\tstatus: invalid\n/);
  });

  it('adds and removes a /32 alias in both spellings, and refuses to remove one that is not there', async () => {
    const k = createFakeOpenBsd(makeTempDir('obsd-alias'), seedInstance('MASTER', 50));
    assert.equal((await runTool(k.ifconfigPath, ['vio0', 'inet', '146.59.143.231/32', 'alias'])).exitCode, 0);
    assert.deepEqual(k.addresses('vio0'), ['51.75.0.10', '146.59.143.231']);
    assert.match((await runTool(k.ifconfigPath, ['vio0'])).stdout, /\tinet 146\.59\.143\.231 netmask 0xffffffff broadcast 146\.59\.143\.231\n$/);
    // Adding it again changes nothing (SIOCAIFADDR updates an existing address).
    assert.equal((await runTool(k.ifconfigPath, ['vio0', 'inet', '146.59.143.231/32', 'alias'])).exitCode, 0);
    assert.deepEqual(k.addresses('vio0'), ['51.75.0.10', '146.59.143.231']);
    assert.equal((await runTool(k.ifconfigPath, ['vio0', 'inet', '146.59.143.231', '-alias'])).exitCode, 0);
    assert.deepEqual(k.addresses('vio0'), ['51.75.0.10']);
    assert.deepEqual(await runTool(k.ifconfigPath, ['vio0', 'inet', '146.59.143.231', '-alias']), {
      stdout: '',
      stderr: "ifconfig: SIOCDIFADDR: Can't assign requested address\n",
      exitCode: 1,
    });
    // The seed's ifstated spelling.
    assert.equal((await runTool(k.ifconfigPath, ['vio0', 'inet', 'alias', '146.59.143.231', 'netmask', '255.255.255.255'])).exitCode, 0);
    assert.deepEqual(k.addresses('vio0'), ['51.75.0.10', '146.59.143.231']);
    assert.equal((await runTool(k.ifconfigPath, ['vio0', 'inet', '146.59.143.231', 'netmask', '255.0.255.0', 'alias'])).exitCode, 1);
  });

  it('takes carp0 to INIT on `down` and logs transitions as the kernel does', async () => {
    const k = createFakeOpenBsd(makeTempDir('obsd-down'), seedInstance('MASTER', 50));
    assert.equal((await runTool(k.ifconfigPath, ['carp0', 'down'])).exitCode, 0);
    assert.match((await runTool(k.ifconfigPath, ['carp0'])).stdout, /^carp0: flags=8802<BROADCAST,SIMPLEX,MULTICAST> mtu 1500\n/);
    await runTool(k.ifconfigPath, ['carp0', 'up']);
    k.setCarpState('carp0', 'MASTER');
    assert.deepEqual(k.kernelLog(), [
      'carp0: state transition: MASTER -> INIT',
      'carp0: state transition: INIT -> BACKUP',
      'carp0: state transition: BACKUP -> MASTER',
    ]);
  });
});

describe('fake OpenBSD sysctl', () => {
  it('prints name=value, bare values with -n, boot time as ctime, and writes as old -> new', async () => {
    const k = createFakeOpenBsd(makeTempDir('obsd-sysctl'), { ...seedInstance('MASTER', 50), sysctls: { 'kern.boottime': 1_795_971_600 } });
    assert.deepEqual(await runTool(k.sysctlPath, ['net.inet.carp.preempt']), { stdout: 'net.inet.carp.preempt=0\n', stderr: '', exitCode: 0 });
    assert.equal((await runTool(k.sysctlPath, ['-n', 'net.inet.carp.preempt'])).stdout, '0\n');
    assert.equal((await runTool(k.sysctlPath, ['net.inet.carp.preempt=1'])).stdout, 'net.inet.carp.preempt: 0 -> 1\n');
    assert.equal((await runTool(k.sysctlPath, ['kern.boottime'])).stdout, 'kern.boottime=Sun Nov 29 17:00:00 2026\n');
    assert.equal((await runTool(k.sysctlPath, ['-n', 'kern.boottime'])).stdout, '1795971600\n');
    assert.equal((await runTool(k.sysctlPath, ['kern.boottime=1'])).exitCode, 1);
    assert.deepEqual(await runTool(k.sysctlPath, ['net.inet.carp.nope']), {
      stdout: '',
      stderr: 'sysctl: fourth level name nope in net.inet.carp.nope is invalid\n',
      exitCode: 1,
    });
  });
});
