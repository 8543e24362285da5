import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { runTool } from '../support/fake-freebsd/exec.ts';
import { createFakeKernel, type FakeKernel } from '../support/fake-freebsd/index.ts';
import { makeTempDir } from '../support/tmp.ts';
import { waitUntil } from '../support/wait.ts';

function kernel(label: string, version: 13 | 14 = 14): FakeKernel {
  return createFakeKernel(makeTempDir(label), { interfaces: { vmx1: { ether: '00:50:56:09:3c:f2' } } }, { freebsdVersion: version });
}

describe('fake sysctl', () => {
  it('prints the bare value with -n and `name: value` without', async () => {
    const k = kernel('fake-sysctl-read');
    assert.deepEqual(await runTool(k.sysctlPath, ['-n', 'net.inet.carp.demotion']), { stdout: '0\n', stderr: '', exitCode: 0 });
    assert.equal((await runTool(k.sysctlPath, ['net.inet.carp.preempt'])).stdout, 'net.inet.carp.preempt: 1\n');
    assert.equal(
      (await runTool(k.sysctlPath, ['net.inet.carp.allow', 'net.inet.carp.log', 'net.inet.carp.ifdown_demotion_factor'])).stdout,
      'net.inet.carp.allow: 1\nnet.inet.carp.log: 1\nnet.inet.carp.ifdown_demotion_factor: 240\n',
    );
    assert.equal((await runTool(k.sysctlPath, ['-n', 'net.pfsync.carp_demotion_factor', 'net.inet.carp.senderr_demotion_factor'])).stdout, '240\n240\n');
    assert.equal((await runTool(k.sysctlPath, ['kern.ostype'])).stdout, 'kern.ostype: FreeBSD\n');
  });

  it('ADDS what is written to net.inet.carp.demotion, prints `old -> new`, and logs like carp(4)', async () => {
    const k = kernel('fake-sysctl-demote');
    assert.deepEqual(await runTool(k.sysctlPath, ['net.inet.carp.demotion=1048576']), {
      stdout: 'net.inet.carp.demotion: 0 -> 1048576\n',
      stderr: '',
      exitCode: 0,
    });
    assert.equal((await runTool(k.sysctlPath, ['net.inet.carp.demotion=240'])).stdout, 'net.inet.carp.demotion: 1048576 -> 1048816\n');
    assert.equal((await runTool(k.sysctlPath, ['net.inet.carp.demotion=-1048576'])).stdout, 'net.inet.carp.demotion: 1048816 -> 240\n');
    assert.equal((await runTool(k.sysctlPath, ['-n', 'net.inet.carp.demotion=-240'])).stdout, '240 -> 0\n');
    assert.equal(k.demotion(), 0);
    assert.deepEqual(k.demotionWrites(), [1048576, 240, -1048576, -240]);
    assert.deepEqual(k.kernelLog(), [
      'carp: demoted by 1048576 to 1048576 (sysctl)',
      'carp: demoted by 240 to 1048816 (sysctl)',
      'carp: demoted by -1048576 to 240 (sysctl)',
      'carp: demoted by -240 to 0 (sysctl)',
    ]);
  });

  it('does not log demotions when net.inet.carp.log=0', async () => {
    const k = kernel('fake-sysctl-nolog');
    assert.equal((await runTool(k.sysctlPath, ['net.inet.carp.log=0'])).stdout, 'net.inet.carp.log: 1 -> 0\n');
    await runTool(k.sysctlPath, ['net.inet.carp.demotion=5']);
    assert.equal(k.demotion(), 5);
    assert.deepEqual(k.kernelLog(), []);
  });

  it('sets ordinary integer sysctls to the value written', async () => {
    const k = kernel('fake-sysctl-set');
    assert.equal((await runTool(k.sysctlPath, ['net.inet.carp.preempt=0'])).stdout, 'net.inet.carp.preempt: 1 -> 0\n');
    assert.equal((await runTool(k.sysctlPath, ['net.inet.carp.preempt=0x1'])).stdout, 'net.inet.carp.preempt: 0 -> 1\n');
    assert.equal(k.read().sysctls['net.inet.carp.preempt'], 1);
  });

  it("reports an unknown oid with sysctl's wording, carries on with the other names, and exits non-zero", async () => {
    const k = kernel('fake-sysctl-unknown');
    assert.deepEqual(await runTool(k.sysctlPath, ['net.inet.carp.demotion=7', 'net.inet.carp.nope', 'net.inet.carp.allow']), {
      stdout: 'net.inet.carp.demotion: 0 -> 7\nnet.inet.carp.allow: 1\n',
      stderr: "sysctl: unknown oid 'net.inet.carp.nope'\n",
      exitCode: 1,
    });
    assert.equal(k.demotion(), 7);
    assert.deepEqual(await runTool(k.sysctlPath, ['-n', 'net.pfsync.nope']), {
      stdout: '',
      stderr: "sysctl: unknown oid 'net.pfsync.nope'\n",
      exitCode: 1,
    });
    assert.deepEqual(await runTool(k.sysctlPath, ['-i', 'net.pfsync.nope']), { stdout: '', stderr: '', exitCode: 0 });
    assert.deepEqual(await runTool(k.sysctlPath, ['-q', 'net.pfsync.nope']), { stdout: '', stderr: '', exitCode: 1 });
  });

  it('refuses bad writes without changing anything', async () => {
    const k = kernel('fake-sysctl-badwrite');
    const cases: Array<[string, string]> = [
      ['net.inet.carp.demotion=abc', "sysctl: invalid integer 'abc'\n"],
      ['net.inet.carp.demotion=', 'sysctl: empty numeric value\n'],
      ['net.inet.carp.demotion=1.5', "sysctl: invalid integer '1.5'\n"],
      ['kern.ostype=Linux', "sysctl: oid 'kern.ostype' is read only\n"],
      ['net.inet.carp=1', "sysctl: oid 'net.inet.carp' isn't a leaf node\n"],
    ];
    for (const [arg, stderr] of cases) {
      assert.deepEqual(await runTool(k.sysctlPath, [arg]), { stdout: '', stderr, exitCode: 1 }, arg);
    }
    assert.equal(k.demotion(), 0);
    assert.deepEqual(k.demotionWrites(), []);
  });

  it('lists a node and everything with -a', async () => {
    const k = kernel('fake-sysctl-node');
    const node = await runTool(k.sysctlPath, ['net.inet.carp']);
    assert.match(node.stdout, /^net\.inet\.carp\.allow: 1\n/);
    assert.match(node.stdout, /\nnet\.inet\.carp\.demotion: 0\n/);
    assert.doesNotMatch(node.stdout, /pfsync/);
    assert.match((await runTool(k.sysctlPath, ['-a'])).stdout, /\nnet\.pfsync\.carp_demotion_factor: 240\n/);
  });

  it('reports its release as 13 or 14', async () => {
    assert.equal((await runTool(kernel('fake-sysctl-13', 13).sysctlPath, ['-n', 'kern.osrelease'])).stdout, '13.5-RELEASE\n');
    assert.equal((await runTool(kernel('fake-sysctl-14', 14).sysctlPath, ['-n', 'kern.osrelease'])).stdout, '14.3-RELEASE\n');
  });

  it('rejects unknown options and a missing name with the usage text', async () => {
    const k = kernel('fake-sysctl-usage');
    const bad = await runTool(k.sysctlPath, ['-z', 'kern.ostype']);
    assert.equal(bad.exitCode, 1);
    assert.match(bad.stderr, /^sysctl: illegal option -- z\nusage: sysctl /);
    const none = await runTool(k.sysctlPath, []);
    assert.equal(none.exitCode, 1);
    assert.match(none.stderr, /^usage: sysctl /);
  });
});

describe('fake kernel failure switches', () => {
  it('fails, prints garbage, or delays on demand, and counts down limited faults', async () => {
    const k = kernel('fake-faults');
    k.setFault('sysctl', { mode: 'fail', stderr: 'sysctl: net.inet.carp.demotion=1: Operation not permitted\n', remaining: 2 });
    for (let i = 0; i < 2; i++) {
      assert.deepEqual(await runTool(k.sysctlPath, ['net.inet.carp.demotion=1']), {
        stdout: '',
        stderr: 'sysctl: net.inet.carp.demotion=1: Operation not permitted\n',
        exitCode: 1,
      });
    }
    assert.equal((await runTool(k.sysctlPath, ['net.inet.carp.demotion=1'])).exitCode, 0);
    assert.equal(k.demotion(), 1);
    assert.deepEqual(k.demotionWrites(), [1]);
    assert.deepEqual(
      k.calls().map((call) => call.fault ?? null),
      ['fail', 'fail', null],
    );

    k.setFault('ifconfig', { mode: 'output', stdout: '<html>502 Bad Gateway</html>\n' });
    assert.deepEqual(await runTool(k.ifconfigPath, ['vmx1']), { stdout: '<html>502 Bad Gateway</html>\n', stderr: '', exitCode: 0 });
    k.setFault('ifconfig', null);

    k.setFault('ifconfig', { mode: 'delay', ms: 300 });
    const started = Date.now();
    const slow = await runTool(k.ifconfigPath, ['vmx1']);
    assert.ok(Date.now() - started >= 300);
    assert.match(slow.stdout, /^vmx1: flags=/);
  });

  it('hangs until killed', async () => {
    const k = kernel('fake-hang');
    k.setFault('ifconfig', { mode: 'hang' });
    const tool = spawn(k.ifconfigPath, ['vmx1'], { cwd: '/', env: {}, stdio: 'ignore' });
    const ended = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => tool.once('exit', (code, signal) => resolve([code, signal])));
    try {
      // Once the fake has taken the call, it answers nothing and does not exit.
      await waitUntil('the fake to take the call', () => k.calls()[0]?.fault === 'hang', { seen: () => k.calls() });
      assert.equal(tool.exitCode, null, 'still running after taking the call');
    } finally {
      tool.kill('SIGTERM');
    }
    assert.deepEqual(await ended, [null, 'SIGTERM']);
  });
});
