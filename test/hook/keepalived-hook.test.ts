/**
 * `carp-ovh hook` on a keepalived router, as keepalived's notify runs it: the
 * four arguments it appends are checked before anything else; anything else is
 * exit 2 with the usage line, no stack trace, and nothing started.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli, writeMinimalKeepalivedConfig } from '../support/cli.ts';
import { makeTempDir } from '../support/tmp.ts';

function keepalivedConfig(): { path: string; stateDir: string } {
  return writeMinimalKeepalivedConfig(makeTempDir('keepalived-hook'));
}

describe('hook on a keepalived router', () => {
  it('refuses arguments keepalived would never pass: exit 2, usage, nothing recorded', async () => {
    const { path, stateDir } = keepalivedConfig();
    for (const args of [
      ['2@vmx1', 'MASTER'],
      ['INSTANCE', 'VI_1', 'MASTER'],
      ['INSTANCE', '../VI_1', 'MASTER', '100'],
      ['INSTANCE', 'VI_1', 'UP', '100'],
      ['INSTANCE', 'VI_1', 'MASTER', '1000'],
      ['SYNC', 'VI_1', 'MASTER', '100'],
    ]) {
      const result = await runCli(['--config', path, 'hook', ...args]);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, /usage: carp-ovh hook <INSTANCE\|GROUP> <name>/);
      assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
    }
    assert.equal(existsSync(stateDir), false, 'nothing was recorded or started');
  });

  it('a BACKUP, FAULT or STOP event is recorded and claims nothing', async () => {
    const { path, stateDir } = keepalivedConfig();
    for (const state of ['BACKUP', 'FAULT', 'STOP']) {
      const result = await runCli(['--config', path, 'hook', 'INSTANCE', 'VI_1', state, '100', '--wait']);
      assert.equal(result.code, 0, result.stderr);
    }
    assert.equal(existsSync(join(stateDir, 'last-claim.json')), false, 'no claim ran');
    assert.equal(existsSync(join(stateDir, 'event-VI_1.json')), true, 'the event was recorded under the instance name');
  });

  it('a GROUP event for a sync group no entry names is logged and ignored', async () => {
    const { path, stateDir } = keepalivedConfig();
    const result = await runCli(['--config', path, 'hook', 'GROUP', 'VG_1', 'MASTER', '100', '--wait']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /VG_1.*not in the config, ignoring/);
    assert.equal(existsSync(join(stateDir, 'last-claim.json')), false);
  });
});
