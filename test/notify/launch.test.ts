/** The notifier's launcher (src/notify/launch.ts) on real processes: its cap, and a child that cannot start. */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { commandRunner } from '../../src/command.ts';
import type { NotifyEvent } from '../../src/core/notify/events.ts';
import type { LogPort } from '../../src/core/ports/index.ts';
import { launchingNotifier } from '../../src/notify/launch.ts';
import { makeTempDir } from '../support/tmp.ts';
import { processAlive, waitUntil } from '../support/wait.ts';

function recordingLog(): LogPort & { warnings: string[] } {
  const warnings: string[] = [];
  const line = (a: object | string, b?: string): string => (typeof a === 'string' ? a : (b ?? ''));
  return {
    warnings,
    info: () => undefined,
    debug: () => undefined,
    error: () => undefined,
    warn: (a: object | string, b?: string) => {
      warnings.push(line(a, b));
    },
  };
}

const EVENT: NotifyEvent = {
  event: 'demoted',
  at: '2026-11-30T12:00:00.000Z',
  keys: ['2@vmx1'],
  addresses: ['51.68.252.230'],
  reasons: ['ovh-api'],
  detail: 'ovh-api: no answer',
};

describe('notify launcher', () => {
  it('frees the slot of a notify-run that could not start: the next event is tried, not dropped', async () => {
    const log = recordingLog();
    const notifier = launchingNotifier({
      execPath: '/nonexistent/node',
      cliPath: '/nonexistent/cli.js',
      configPath: '/nonexistent/carp-ovh.yaml',
      log,
      maxInFlight: 1,
      commands: commandRunner(),
    });
    for (let sent = 1; sent <= 3; sent++) {
      notifier.notify(EVENT);
      await waitUntil(`failure ${sent} to be logged`, () => log.warnings.length === sent);
    }
    assert.equal(log.warnings.filter((w) => /cannot start notify-run: .*ENOENT/.test(w)).length, 3, log.warnings.join('\n'));
    assert.ok(!log.warnings.some((w) => /still running/.test(w)), log.warnings.join('\n'));
  });

  it('drops events past maxInFlight while one runs, and takes them again once it has ended', async () => {
    const dir = makeTempDir('notify-launch');
    const release = join(dir, 'release');
    const ran = join(dir, 'ran');
    // Stands in for `carp-ovh notify-run`: notes its pid, then holds its slot until the test releases it.
    const script = join(dir, 'notify-run.sh');
    writeFileSync(script, `echo $$ >> '${ran}'\nwhile [ ! -e '${release}' ]; do sleep 0.05; done\n`);
    const started = (): number[] => (existsSync(ran) ? readFileSync(ran, 'utf8').trim().split('\n').map(Number) : []);
    const log = recordingLog();
    const notifier = launchingNotifier({ execPath: '/bin/sh', cliPath: script, configPath: '/unused', log, maxInFlight: 1, commands: commandRunner() });

    notifier.notify(EVENT);
    await waitUntil('the first notify-run to start', () => started().length === 1);
    notifier.notify(EVENT);
    assert.deepEqual(log.warnings, ['notify: 1 notifications still running; not sending demoted']);

    writeFileSync(release, '');
    // The slot frees when the child exits; until then each try is dropped again.
    await waitUntil('the slot to free', () => {
      const before = log.warnings.length;
      notifier.notify(EVENT);
      return log.warnings.length === before;
    });
    await waitUntil('the second notify-run to start', () => started().length === 2);
    await waitUntil('every notify-run to end', () => started().every((pid) => !processAlive(pid)));
  });
});
