import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isCarpOvhError } from '../../src/errors.ts';
import { parseHookArgs } from '../../src/platform/openbsd/hook-args.ts';
import { createOpenBsdPlatform } from '../../src/platform/openbsd/index.ts';
import { SHARE_FILE, ShareStore } from '../../src/platform/openbsd/share.ts';
import { runTool as runToolWithin } from '../support/fake-freebsd/exec.ts';

/** Each fake tool is a node process: generous on a loaded machine. */
const runTool = (path: string, args: readonly string[]) => runToolWithin(path, args, { timeoutMs: 120_000 });
import { createFakeOpenBsd, edgeInstance, type ObsdDialect } from '../support/fake-openbsd/index.ts';
import { makeTempDir } from '../support/tmp.ts';

const VIO0 = 'fa:16:3e:00:00:0a';
const VIO2 = 'fa:16:3e:00:02:0a';
const FIP = '146.59.143.231';
const ENTRY = { interface: 'carp0', addresses: [FIP] };
const ALIASED = { ...ENTRY, alias: { interface: 'vio0' } };

function instance(label: string, options: { state?: 'MASTER' | 'BACKUP'; dialect?: Partial<ObsdDialect>; share?: number } = {}) {
  const dir = makeTempDir(label);
  const kernel = createFakeOpenBsd(join(dir, 'kernel'), {
    interfaces: edgeInstance({
      carpState: options.state ?? 'MASTER',
      advskew: 1,
      vio0: { lladdr: VIO0, address: '51.75.0.10' },
      vio2: { lladdr: VIO2, address: '10.25.0.1' },
    }),
    ...(options.dialect === undefined ? {} : { dialect: options.dialect }),
  });
  const stateDir = join(dir, 'state');
  const platform = createOpenBsdPlatform({
    ifconfig: kernel.ifconfigPath,
    sysctl: kernel.sysctlPath,
    stateDir,
    share: options.share ?? 16,
    timeoutMs: 120_000,
  });
  return { kernel, platform, stateDir };
}

async function rejects(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (error) => isCarpOvhError(error) && pattern.test(error.message));
}

describe('OpenBSD platform: CARP state and our MAC', () => {
  it("reads MASTER/BACKUP/INIT from carp0, with the carpdev (or alias interface) MAC, never carp0's virtual one", async () => {
    const { kernel, platform } = instance('obsd-entry');
    assert.equal(platform.entryKey(ENTRY), 'carp0');
    assert.deepEqual(await platform.readEntry(ENTRY), { state: 'MASTER', mac: VIO2, detail: 'carp: MASTER carpdev vio2 vhid 1 advbase 1 advskew 1' });
    assert.equal((await platform.readEntry(ALIASED)).mac, VIO0);
    kernel.setCarpState('carp0', 'BACKUP');
    assert.equal((await platform.readEntry(ENTRY)).state, 'BACKUP');
    await runTool(kernel.ifconfigPath, ['carp0', 'down']);
    assert.equal((await platform.readEntry(ENTRY)).state, 'INIT');
    assert.equal((await platform.readEntry({ ...ENTRY, interface: 'carp1' })).state, 'absent');
    assert.equal((await platform.readEntry({ ...ENTRY, interface: 'vio0' })).state, 'absent');
    assert.equal((await platform.readEntry({ ...ENTRY, vhid: 7 })).state, 'absent');
    // A carpdev that shows only a CARP virtual MAC gives no MAC at all.
    kernel.update((state) => {
      if (state.interfaces.vio2 !== undefined) state.interfaces.vio2.lladdr = '00:00:5e:00:01:01';
    });
    assert.equal((await platform.readEntry(ENTRY)).mac, null);
  });

  it('fails loudly on output it cannot read, and refuses hostile names before running anything', async () => {
    const { kernel, platform } = instance('obsd-garbage');
    kernel.setFault('ifconfig', { mode: 'output', stdout: 'carp0: flags=8843<UP> mtu 1500\n\tcarp: MASTER vhid 1\n', remaining: 1 });
    await rejects(platform.readEntry(ENTRY), /cannot read the carp line/);
    kernel.setFault('ifconfig', {
      mode: 'output',
      stdout: 'carp0: flags=8843<UP> mtu 1500\n\tcarp: MASTER carpdev vio2 vhid 1 advbase 1 advskew 1\n\tstatus: backup\n',
      remaining: 1,
    });
    await rejects(platform.readEntry(ENTRY), /shows carp MASTER but status "backup"/);
    const before = kernel.calls().length;
    await rejects(platform.readEntry({ ...ENTRY, interface: 'carp0;reboot' }), /invalid interface name/);
    await rejects(platform.alias.add('vio0', '1.2.3.4 -alias'), /invalid IPv4/);
    assert.equal(kernel.calls().length, before);
  });
});

describe('OpenBSD platform: the carp group demote counter', () => {
  for (const dialect of [
    { demoteRange: 'EINVAL', groupErrors: 'named' },
    { demoteRange: 'ERANGE', groupErrors: 'bare' },
  ] as const) {
    it(`adds our share once, removes exactly it, and keeps others' shares (${dialect.demoteRange}/${dialect.groupErrors})`, async () => {
      const { kernel, platform } = instance('obsd-share', { dialect });
      await runTool(kernel.ifconfigPath, ['-g', 'carp', 'carpdemote', '3']); // someone else's (ifstated's, the operator's)
      assert.deepEqual(await platform.readDemotion(), { value: 3, ours: false });
      assert.deepEqual(await platform.setDemoted(true), { value: 19, ours: true, changed: true });
      assert.deepEqual(await platform.setDemoted(true), { value: 19, ours: true, changed: false });
      assert.equal(kernel.demoteCount(), 19);
      await runTool(kernel.ifconfigPath, ['-g', 'carp', 'carpdemote', '5']);
      assert.deepEqual(await platform.setDemoted(false), { value: 8, ours: false, changed: true });
      assert.deepEqual(await platform.setDemoted(false), { value: 8, ours: false, changed: false });
      assert.equal(kernel.demoteCount(), 8);
      const writes = kernel
        .calls()
        .filter((call) => call.argv.length > 2)
        .map((call) => call.argv.join(' '));
      assert.deepEqual(writes, ['-g carp carpdemote 3', '-g carp carpdemote 16', '-g carp carpdemote 5', '-g carp -carpdemote 16']);
    });

    it(`refuses cleanly when the counter would leave 0..255, and changes nothing (${dialect.demoteRange})`, async () => {
      const { kernel, platform } = instance('obsd-bounds', { dialect });
      for (const n of ['128', '120']) await runTool(kernel.ifconfigPath, ['-g', 'carp', 'carpdemote', n]);
      await rejects(platform.setDemoted(true), /demote counter is 248; the kernel keeps it within 0\.\.255/);
      assert.equal(kernel.demoteCount(), 248);
      assert.deepEqual(await platform.readDemotion(), { value: 248, ours: false });
      // Once there is room, the next attempt goes through.
      await runTool(kernel.ifconfigPath, ['-g', 'carp', '-carpdemote', '100']);
      assert.equal((await platform.setDemoted(true)).value, 164);
    });
  }

  it('knows after a reboot that its share is gone (kern.boottime changed, the kernel zeroed the counter)', async () => {
    const { kernel, platform } = instance('obsd-reboot');
    await platform.setDemoted(true);
    kernel.reboot();
    assert.deepEqual(await platform.readDemotion(), { value: 0, ours: false });
    // Nothing to remove: no -carpdemote that would fail or eat another share.
    assert.deepEqual(await platform.setDemoted(false), { value: 0, ours: false, changed: false });
    await runTool(kernel.ifconfigPath, ['-g', 'carp', 'carpdemote', '2']);
    assert.deepEqual(await platform.setDemoted(true), { value: 18, ours: true, changed: true });
  });

  it('a crash between the intent and the ifconfig call is read as done, unless the counter shows otherwise', async () => {
    const { kernel, platform, stateDir } = instance('obsd-crash');
    const boottime = Number((await runTool(kernel.sysctlPath, ['-n', 'kern.boottime'])).stdout);
    const store = new ShareStore(stateDir);
    // The add ran (the counter holds it) but the confirmation was never written.
    await runTool(kernel.ifconfigPath, ['-g', 'carp', 'carpdemote', '16']);
    await store.write({ boottime, share: 0, pending: { op: 'add', amount: 16 } });
    assert.deepEqual(await platform.readDemotion(), { value: 16, ours: true });
    assert.deepEqual(await platform.setDemoted(false), { value: 0, ours: false, changed: true });
    // The add never ran: the counter is below its amount.
    await store.write({ boottime, share: 0, pending: { op: 'add', amount: 16 } });
    assert.deepEqual(await platform.readDemotion(), { value: 0, ours: false });
    // A torn record is set aside: no share is assumed.
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(stateDir, SHARE_FILE), '{"boottime": 1');
    assert.deepEqual(await platform.readDemotion(), { value: 0, ours: false });
  });

  it('serialises concurrent changes: ten parallel setDemoted(true) add the share once', async () => {
    const { kernel, platform } = instance('obsd-parallel');
    const results = await Promise.all(Array.from({ length: 10 }, () => platform.setDemoted(true)));
    assert.equal(results.filter((r) => r.changed).length, 1);
    assert.equal(kernel.demoteCount(), 16);
  });

  it('takes only 1..128 as its share (ifconfig carpdemote bound)', () => {
    for (const share of [0, 129, 1.5]) {
      assert.throws(() => instance(`obsd-share-${share}`, { share }), /health\.demotion must be 1\.\.128 on OpenBSD/);
    }
  });
});

describe('OpenBSD platform: alias and doctor', () => {
  it('adds, reads and removes the /32 alias idempotently', async () => {
    const { kernel, platform } = instance('obsd-alias');
    assert.equal(await platform.alias.has('vio0', FIP), false);
    await platform.alias.add('vio0', FIP);
    await platform.alias.add('vio0', FIP);
    assert.deepEqual(kernel.addresses('vio0'), ['51.75.0.10', FIP]);
    assert.equal(await platform.alias.has('vio0', FIP), true);
    await platform.alias.remove('vio0', FIP);
    await platform.alias.remove('vio0', FIP); // already gone: fine
    assert.deepEqual(kernel.addresses('vio0'), ['51.75.0.10']);
    await rejects(platform.alias.has('vio7', FIP), /vio7 \(alias\.interface\) does not exist/);
  });

  it('doctor: carp interface and MAC, alias vs CARP state, preempt, the demote count', async () => {
    const { kernel, platform } = instance('obsd-doctor');
    const byId = async () => Object.fromEntries((await platform.doctorChecks([ALIASED])).map((c) => [c.id, c]));
    let checks = await byId();
    assert.equal(checks['carp.interface:carp0']?.status, 'pass');
    assert.match(checks['carp.interface:carp0']?.detail ?? '', /our MAC fa:16:3e:00:00:0a/);
    assert.equal(checks['alias:carp0']?.status, 'warn');
    assert.match(checks['alias:carp0']?.detail ?? '', /MASTER but 146\.59\.143\.231 not aliased on vio0/);
    assert.match(checks['sysctl.preempt']?.detail ?? '', /^0: /);
    assert.deepEqual([checks['carp.demote']?.status, checks['carp.demote']?.detail], ['pass', '0']);
    await platform.alias.add('vio0', FIP);
    await platform.setDemoted(true);
    checks = await byId();
    assert.equal(checks['alias:carp0']?.status, 'pass');
    assert.equal(checks['carp.demote']?.detail, "16 (carp-ovh's share 16 is in)");
    kernel.setCarpState('carp0', 'BACKUP');
    checks = await byId();
    assert.match(checks['alias:carp0']?.detail ?? '', /BACKUP but 146\.59\.143\.231 still aliased on vio0/);
    const missing = Object.fromEntries((await platform.doctorChecks([{ ...ENTRY, interface: 'carp3' }])).map((c) => [c.id, c]));
    assert.equal(missing['carp.interface:carp3']?.status, 'fail');
  });
});

describe('OpenBSD hook arguments (ifstated run lines)', () => {
  it('takes a carp interface and MASTER|BACKUP|INIT, anything else is bad input', () => {
    assert.deepEqual(parseHookArgs(['carp0', 'MASTER']), { key: 'carp0', state: 'MASTER' });
    assert.deepEqual(parseHookArgs(['carp12', 'backup']), { key: 'carp12', state: 'BACKUP' });
    assert.deepEqual(parseHookArgs(['carp0', 'Init']), { key: 'carp0', state: 'INIT' });
    for (const argv of [
      [],
      ['carp0'],
      ['carp0', 'MASTER', 'x'],
      ['1@carp0', 'MASTER'],
      ['carp', 'MASTER'],
      ['carp0', 'FAULT'],
      ['carp0;id', 'MASTER'],
      ['carp0', 'MASTER\n'],
      ['carp0000000000000', 'MASTER'],
      ['CARP0', 'MASTER'],
      ['carp0', ''],
    ]) {
      assert.throws(
        () => parseHookArgs(argv),
        (error: unknown) => isCarpOvhError(error) && error.badInput && /usage: carp-ovh hook <carp interface>/.test(error.message),
        JSON.stringify(argv),
      );
    }
  });
});
