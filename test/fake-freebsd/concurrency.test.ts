import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { runTool } from '../support/fake-freebsd/exec.ts';
import { createFakeKernel } from '../support/fake-freebsd/index.ts';
import { makeTempDir } from '../support/tmp.ts';

describe('fake kernel under concurrent calls', () => {
  it('adds exactly 20 for 20 parallel `sysctl net.inet.carp.demotion=1`', async () => {
    const k = createFakeKernel(makeTempDir('fake-concurrency'), { interfaces: {} });
    const runs = await Promise.all(Array.from({ length: 20 }, () => runTool(k.sysctlPath, ['net.inet.carp.demotion=1'])));
    assert.ok(runs.every((run) => run.exitCode === 0 && run.stderr === ''));
    assert.equal(k.demotion(), 20);
    assert.deepEqual(
      k.demotionWrites(),
      Array.from({ length: 20 }, () => 1),
    );
    // Each write saw a different old value: they were serialised, none was lost.
    const olds = runs.map((run) => Number(/: (\d+) -> /.exec(run.stdout)?.[1])).sort((a, b) => a - b);
    assert.deepEqual(
      olds,
      Array.from({ length: 20 }, (_, i) => i),
    );
    assert.equal(k.kernelLog().length, 20);
    assert.equal(k.calls().length, 20);
  });

  it('serialises tool writes with test-side updates and ifconfig state changes', async () => {
    const k = createFakeKernel(makeTempDir('fake-concurrency-mixed'), {
      interfaces: { vmx1: { ether: '00:50:56:09:3c:f2', carp: [{ vhid: 2, state: 'BACKUP', advbase: 1, advskew: 0 }] } },
    });
    const tools = Promise.all([
      ...Array.from({ length: 10 }, () => runTool(k.sysctlPath, ['net.inet.carp.demotion=-1'])),
      ...Array.from({ length: 5 }, (_, i) => runTool(k.ifconfigPath, ['vmx1', 'vhid', '2', 'state', i % 2 === 0 ? 'master' : 'backup'])),
      ...Array.from({ length: 5 }, () => runTool(k.ifconfigPath, ['vmx1'])),
    ]);
    for (let i = 0; i < 5; i++) {
      k.update((state) => {
        state.sysctls['net.inet.carp.demotion'] = Number(state.sysctls['net.inet.carp.demotion']) + 1000;
      });
      await delay(5);
    }
    const runs = await tools;
    assert.ok(runs.every((run) => run.exitCode === 0));
    assert.equal(k.demotion(), 5000 - 10);
    for (const run of runs.slice(15)) assert.match(run.stdout, /\tcarp: (MASTER|BACKUP) vhid 2 advbase 1 advskew 0\n/);
    assert.equal(k.calls().length, 20);
  });
});
