import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CarpOvhError } from '../../src/errors.ts';
import { createFreeBsdCarp } from '../../src/platform/freebsd/index.ts';
import { createFakeKernel, routerInterface, type FakeKernel } from '../support/fake-freebsd/index.ts';
import { makeTempDir } from '../support/tmp.ts';
import { waitUntil } from '../support/wait.ts';

function router(label: string, version: 13 | 14 = 14): FakeKernel {
  return createFakeKernel(
    makeTempDir(label),
    {
      interfaces: {
        vmx1: routerInterface({
          ether: '00:50:56:09:3C:F2',
          address: '178.32.70.110',
          vips: [
            { vhid: 2, state: 'MASTER', addresses: ['51.68.252.230'], advskew: 100 },
            { vhid: 3, state: 'BACKUP', addresses: ['51.68.252.231', '51.68.252.232'] },
          ],
        }),
      },
    },
    { freebsdVersion: version },
  );
}

function carpFor(kernel: FakeKernel, timeoutMs?: number) {
  return createFreeBsdCarp({ ifconfig: kernel.ifconfigPath, sysctl: kernel.sysctlPath, ...(timeoutMs === undefined ? {} : { timeoutMs }) });
}

function isPlatformError(check: (error: CarpOvhError) => boolean) {
  return (error: unknown): boolean => error instanceof CarpOvhError && error.source === 'platform' && check(error);
}

describe('FreeBSD Carp adapter against the fake kernel', () => {
  it('reads CARP states, VIPs and the NIC MAC', async () => {
    for (const version of [13, 14] as const) {
      const kernel = router(`carp-read-${version}`, version);
      assert.deepEqual(await carpFor(kernel).readInterface('vmx1'), {
        name: 'vmx1',
        ether: '00:50:56:09:3c:f2',
        vhids: [
          { vhid: 2, state: 'MASTER', advbase: 1, advskew: 100, addresses: ['51.68.252.230'] },
          { vhid: 3, state: 'BACKUP', advbase: 1, advskew: 0, addresses: ['51.68.252.231', '51.68.252.232'] },
        ],
        inet: ['178.32.70.110', '51.68.252.230', '51.68.252.231', '51.68.252.232'],
      });
      assert.deepEqual(
        kernel.calls().map((call) => call.argv),
        [['vmx1']],
      );
    }
  });

  it('sees a state change made by the kernel', async () => {
    const kernel = router('carp-change');
    const carp = carpFor(kernel);
    kernel.setCarpState('vmx1', 2, 'BACKUP');
    kernel.setCarpState('vmx1', 3, 'MASTER');
    const iface = await carp.readInterface('vmx1');
    assert.deepEqual(
      iface?.vhids.map((vhid) => [vhid.vhid, vhid.state]),
      [
        [2, 'BACKUP'],
        [3, 'MASTER'],
      ],
    );
  });

  it('returns null for an interface that does not exist', async () => {
    const kernel = router('carp-missing-iface');
    assert.equal(await carpFor(kernel).readInterface('vmx9'), null);
  });

  it('adds and subtracts demotion, returning the new total', async () => {
    const kernel = router('carp-demotion');
    const carp = carpFor(kernel);
    assert.equal(await carp.readDemotion(), 0);
    assert.equal(await carp.addDemotion(1_048_576), 1_048_576);
    kernel.setSysctl('net.inet.carp.demotion', 1_048_576 + 240); // the kernel demoted too (an interface went down)
    assert.equal(await carp.addDemotion(-1_048_576), 240);
    assert.equal(await carp.readDemotion(), 240);
    assert.equal(await carp.addDemotion(0), 240);
    assert.deepEqual(kernel.demotionWrites(), [1_048_576, -1_048_576]);
    assert.deepEqual(
      kernel.calls().map((call) => call.argv),
      [
        ['-n', 'net.inet.carp.demotion'],
        ['net.inet.carp.demotion=1048576'],
        ['net.inet.carp.demotion=-1048576'],
        ['-n', 'net.inet.carp.demotion'],
        ['-n', 'net.inet.carp.demotion'],
      ],
    );
    assert.deepEqual(kernel.kernelLog(), ['carp: demoted by 1048576 to 1048576 (sysctl)', 'carp: demoted by -1048576 to 240 (sysctl)']);
  });

  it('refuses a demotion change that is not a 32-bit integer, before running anything', async () => {
    const kernel = router('carp-demotion-bad');
    const carp = carpFor(kernel);
    for (const delta of [1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31, -(2 ** 31) - 1]) {
      await assert.rejects(
        carp.addDemotion(delta),
        isPlatformError((error) => error.badInput),
        String(delta),
      );
    }
    assert.deepEqual(kernel.calls(), []);
  });

  it('reads any sysctl, and reports an unknown one', async () => {
    const kernel = router('carp-sysctl');
    const carp = carpFor(kernel);
    assert.equal(await carp.readSysctl('net.inet.carp.preempt'), '1');
    assert.equal(await carp.readSysctl('kern.osrelease'), '14.3-RELEASE');
    await assert.rejects(
      carp.readSysctl('net.inet.carp.nope'),
      isPlatformError((error) => /sysctl -n net\.inet\.carp\.nope failed with exit status 1: sysctl: unknown oid 'net\.inet\.carp\.nope'/.test(error.message)),
    );
  });

  it('explains a missing carp module when the demotion sysctl is unknown', async () => {
    const kernel = router('carp-no-module');
    kernel.update((state) => {
      delete state.sysctls['net.inet.carp.demotion'];
    });
    await assert.rejects(
      carpFor(kernel).readDemotion(),
      isPlatformError((error) => /unknown oid.*kldload carp/.test(error.message)),
    );
  });

  it('refuses sysctl names that would write or read as options, before running anything', async () => {
    const kernel = router('carp-sysctl-names');
    const carp = carpFor(kernel);
    for (const name of ['net.inet.carp.demotion=5', 'net.inet.carp.demotion:5', '-a', '', 'a b', 'net..inet', '.net']) {
      await assert.rejects(
        carp.readSysctl(name),
        isPlatformError((error) => error.badInput),
        name,
      );
    }
    assert.deepEqual(kernel.calls(), []);
    assert.equal(kernel.demotion(), 0);
  });

  it('rejects interface names with shell metacharacters before anything runs', async () => {
    const kernel = router('carp-iface-names');
    const carp = carpFor(kernel);
    const marker = join(kernel.dir, 'pwned');
    const names = [
      `vmx1;touch ${marker}`,
      `$(touch ${marker})`,
      `\`touch ${marker}\``,
      'vmx1 vhid 2 state backup',
      'vmx1|id',
      '-a',
      'vmx1\n',
      '../vmx1',
      'vmx..1',
      'VMX1',
      '1vmx',
      'abcdefghijklmnop', // 16 characters: one more than IFNAMSIZ allows
      '',
    ];
    for (const name of names) {
      await assert.rejects(
        carp.readInterface(name),
        isPlatformError((error) => error.badInput && /invalid interface name/.test(error.message)),
        JSON.stringify(name),
      );
    }
    assert.deepEqual(kernel.calls(), []);
    assert.equal(existsSync(marker), false);
    assert.equal(kernel.read().interfaces.vmx1?.carp?.[0]?.state, 'MASTER');
    assert.equal(await carp.readInterface('vlan10.2_x'), null); // a legal name, just absent
  });

  it('names the path and the config key when a command is missing or not executable', async () => {
    const dir = makeTempDir('carp-missing-command');
    const missing = createFreeBsdCarp({ ifconfig: join(dir, 'no-ifconfig'), sysctl: join(dir, 'no-sysctl') });
    await assert.rejects(
      missing.readInterface('vmx1'),
      isPlatformError(
        (error) => error.errorCode === 'ENOENT' && error.message.includes(join(dir, 'no-ifconfig')) && error.message.includes('platform.ifconfig'),
      ),
    );
    await assert.rejects(
      missing.readDemotion(),
      isPlatformError((error) => error.message.includes(join(dir, 'no-sysctl')) && error.message.includes('platform.sysctl')),
    );
    const notExecutable = join(dir, 'sysctl');
    writeFileSync(notExecutable, '#!/bin/sh\necho 0\n', { mode: 0o644 });
    await assert.rejects(
      createFreeBsdCarp({ ifconfig: '/sbin/ifconfig', sysctl: notExecutable }).addDemotion(1),
      isPlatformError((error) => error.errorCode === 'EACCES' && error.message.includes('platform.sysctl')),
    );
  });

  it('requires absolute paths', () => {
    assert.throws(
      () => createFreeBsdCarp({ ifconfig: 'ifconfig', sysctl: '/sbin/sysctl' }),
      (error: unknown) =>
        error instanceof CarpOvhError && error.source === 'config' && error.badInput && /platform\.ifconfig must be an absolute path/.test(error.message),
    );
  });

  it('kills a hanging command at the timeout', async () => {
    // 3 s: the fake must have started and logged the call before the kill, even on a loaded machine.
    const kernel = router('carp-hang');
    kernel.setFault('ifconfig', { mode: 'hang' });
    const started = Date.now();
    await assert.rejects(
      carpFor(kernel, 3000).readInterface('vmx1'),
      isPlatformError((error) => error.timedOut && error.retryable && /did not finish within 3000 ms and was killed/.test(error.message)),
    );
    const elapsed = Date.now() - started;
    // Not before the timeout; the upper bound only tells "killed" from "waited it out", under any load.
    assert.ok(elapsed >= 3000 && elapsed < 20_000, `answered after ${elapsed} ms`);
    const pid = kernel.calls()[0]?.pid;
    assert.ok(pid !== undefined);
    const alive = (): boolean => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    await waitUntil('the hung process to be killed', () => !alive());
  });

  it('reports a failing command with its stderr, and garbage output as bad input', async () => {
    const kernel = router('carp-faults');
    const carp = carpFor(kernel);
    kernel.setFault('ifconfig', { mode: 'fail', exitCode: 1, stderr: 'ifconfig: socket(family 2,SOCK_DGRAM): Protocol not supported\n', remaining: 1 });
    await assert.rejects(
      carp.readInterface('vmx1'),
      isPlatformError(
        (error) =>
          !error.badInput && /ifconfig vmx1 failed with exit status 1: ifconfig: socket\(family 2,SOCK_DGRAM\): Protocol not supported$/.test(error.message),
      ),
    );
    kernel.setFault('ifconfig', { mode: 'output', stdout: 'Segmentation fault\n', remaining: 1 });
    await assert.rejects(
      carp.readInterface('vmx1'),
      isPlatformError((error) => error.badInput && /ifconfig vmx1: unexpected ifconfig output/.test(error.message)),
    );
    kernel.setFault('sysctl', { mode: 'output', stdout: 'net.inet.carp.demotion: 0\n', remaining: 1 });
    await assert.rejects(
      carp.addDemotion(1),
      isPlatformError((error) => /the write may have happened/.test(error.message)),
    );
    kernel.setFault('sysctl', { mode: 'output', stdout: 'lots\n', remaining: 1 });
    await assert.rejects(
      carp.readDemotion(),
      isPlatformError((error) => error.badInput && /not an integer/.test(error.message)),
    );
    kernel.setFault('ifconfig', { mode: 'output', stdout: 'x'.repeat(2 * 1024 * 1024), remaining: 1 });
    await assert.rejects(
      carp.readInterface('vmx1'),
      isPlatformError((error) => /more than 1 MiB/.test(error.message)),
    );
    // Faults used up: back to normal.
    assert.equal((await carp.readInterface('vmx1'))?.vhids.length, 2);
  });
});
