import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runTool } from '../support/fake-freebsd/exec.ts';
import { readsDirFor } from '../support/fake-shell-reads.ts';
import { toolServerCommand } from '../support/fake-tool-server.ts';
import { createFakeOpenBsd, edgeInstance } from '../support/fake-openbsd/index.ts';
import { makeTempDir } from '../support/tmp.ts';

/** The tool's own command code (through the tool server), bypassing the wrapper's shell answers. */
function serverAnswer(statePath: string, args: string[]) {
  const [bash, ...client] = toolServerCommand('fake-openbsd', 'ifconfig', statePath);
  return runTool(bash as string, [...client, ...args]);
}

describe("fake OpenBSD: the shell's read answers", () => {
  it('answer ifconfig IFACE and ifconfig -g GROUP as the tool server does, follow a demote write, and step aside for a fault', async () => {
    const k = createFakeOpenBsd(makeTempDir('fake-obsd-reads'), {
      interfaces: edgeInstance({
        carpState: 'MASTER',
        advskew: 50,
        vio0: { lladdr: 'fa:16:3e:00:00:01', address: '51.68.0.10' },
        vio2: { lladdr: 'fa:16:3e:00:00:02', address: '10.25.0.11' },
      }),
    });
    for (const args of [['carp0'], ['-g', 'carp']]) {
      assert.deepEqual(await runTool(k.ifconfigPath, args), await serverAnswer(k.statePath, args), args.join(' '));
    }
    assert.match((await runTool(k.ifconfigPath, ['-g', 'carp'])).stdout, /carp demote count 0/);
    assert.equal((await runTool(k.ifconfigPath, ['-g', 'carp', 'carpdemote', '50'])).exitCode, 0);
    assert.match((await runTool(k.ifconfigPath, ['-g', 'carp'])).stdout, /carp demote count 50/);
    assert.deepEqual(
      k.calls().map((call) => call.argv.join(' ')),
      ['carp0', 'carp0', '-g carp', '-g carp', '-g carp', '-g carp carpdemote 50', '-g carp'],
    );

    k.setFault('ifconfig', { mode: 'output', stdout: 'garbage\n' });
    assert.ok(!existsSync(join(readsDirFor(k.statePath), 'ifconfig-g.carp')), 'no shell answer while a fault is set');
    assert.equal((await runTool(k.ifconfigPath, ['-g', 'carp'])).stdout, 'garbage\n');
  });
});
