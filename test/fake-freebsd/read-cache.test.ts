import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runTool } from '../support/fake-freebsd/exec.ts';
import { createFakeKernel, routerInterface } from '../support/fake-freebsd/index.ts';
import { readsDirFor } from '../support/fake-shell-reads.ts';
import { toolServerCommand } from '../support/fake-tool-server.ts';
import { makeTempDir } from '../support/tmp.ts';

function kernel(label: string) {
  return createFakeKernel(makeTempDir(label), {
    interfaces: {
      vmx1: routerInterface({ ether: '00:50:56:09:3c:f2', address: '178.32.70.110', vips: [{ vhid: 2, state: 'MASTER', addresses: ['51.68.252.230'] }] }),
    },
  });
}

/** The tool's own command code (through the tool server), bypassing the wrapper's shell answers. */
function serverAnswer(tool: 'ifconfig' | 'sysctl', statePath: string, args: string[]) {
  const [bash, ...client] = toolServerCommand('fake-freebsd', tool, statePath);
  return runTool(bash as string, [...client, ...args]);
}

describe("fake kernel: the shell's read answers", () => {
  it('answer ifconfig IFACE and sysctl -n NAME as the tool server does, log the call, and follow every state write', async () => {
    const k = kernel('fake-reads');
    const answer = join(readsDirFor(k.statePath), 'ifconfig.vmx1');
    assert.ok(existsSync(answer), 'the answer is rendered when the kernel is created');

    const viaShell = await runTool(k.ifconfigPath, ['vmx1']);
    assert.deepEqual(viaShell, await serverAnswer('ifconfig', k.statePath, ['vmx1']));
    assert.match(viaShell.stdout, /carp: MASTER vhid 2/);
    const demotion = await runTool(k.sysctlPath, ['-n', 'net.inet.carp.demotion']);
    assert.deepEqual(demotion, { stdout: '0\n', stderr: '', exitCode: 0 });
    assert.deepEqual(
      k.calls().map((call) => [call.tool, call.argv, call.exitCode]),
      [
        ['ifconfig', ['vmx1'], 0],
        ['ifconfig', ['vmx1'], 0],
        ['sysctl', ['-n', 'net.inet.carp.demotion'], 0],
      ],
    );

    k.setCarpState('vmx1', 2, 'BACKUP');
    assert.match(readFileSync(answer, 'utf8'), /carp: BACKUP vhid 2/);
    assert.match((await runTool(k.ifconfigPath, ['vmx1'])).stdout, /carp: BACKUP vhid 2/);

    // A write through the tool (the server) moves the rendered answer with it.
    assert.equal((await runTool(k.sysctlPath, ['net.inet.carp.demotion=240'])).exitCode, 0);
    assert.deepEqual(await runTool(k.sysctlPath, ['-n', 'net.inet.carp.demotion']), { stdout: '240\n', stderr: '', exitCode: 0 });
  });

  it('leave errors, unknown names and every call under a fault to the tool server', async () => {
    const k = kernel('fake-reads-fallback');
    assert.deepEqual(await runTool(k.ifconfigPath, ['vmx9']), { stdout: '', stderr: 'ifconfig: interface vmx9 does not exist\n', exitCode: 1 });
    assert.equal((await runTool(k.ifconfigPath, ['../fake-kernel.json'])).exitCode, 1);
    assert.equal((await runTool(k.sysctlPath, ['-n', 'net.inet.carp.nope'])).exitCode, 1);

    k.setFault('ifconfig', { mode: 'fail', remaining: 1 });
    assert.ok(!existsSync(join(readsDirFor(k.statePath), 'ifconfig.vmx1')), 'no shell answer while a fault is set');
    assert.equal((await runTool(k.ifconfigPath, ['vmx1'])).exitCode, 1);
    // The fault counted down to nothing: the answer is back.
    assert.ok(existsSync(join(readsDirFor(k.statePath), 'ifconfig.vmx1')));
    assert.equal((await runTool(k.ifconfigPath, ['vmx1'])).exitCode, 0);
    assert.deepEqual(
      k.calls().map((call) => call.fault ?? null),
      [null, null, null, 'fail', null],
    );
  });
});
