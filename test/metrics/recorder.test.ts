/** The recorder in process: concurrent writers lose no count, a torn metrics.json starts afresh, a platform read that fails keeps the last one. */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { MetricsRecorder, type PlatformSeen } from '../../src/core/metrics/recorder.ts';
import type { LogPort } from '../../src/core/ports/index.ts';
import { METRICS_FILE } from '../../src/core/metrics/snapshot.ts';
import { replaceFile } from '../../src/textfile.ts';
import { StateDir } from '../../src/state.ts';
import { parseExposition, metricValue } from '../support/prom-parse.ts';
import { makeTempDir } from '../support/tmp.ts';

const quiet: LogPort = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };
const ENTRIES = [{ key: '2@vmx1', addresses: ['51.68.252.230'] }];
const ENTRIES_LABELS = { key: '2@vmx1', address: '51.68.252.230' };

function recorder(dir: string, observe: () => Promise<PlatformSeen>): MetricsRecorder {
  return new MetricsRecorder({
    state: new StateDir(join(dir, 'state')),
    log: quiet,
    entries: ENTRIES,
    textfile: join(dir, 'carp_ovh.prom'),
    writeTextfile: (path, text) => replaceFile(path, text),
    observePlatform: observe,
  });
}

const platform = (master: boolean): PlatformSeen => ({ masters: { '2@vmx1': master }, macs: { '2@vmx1': '00:50:56:09:3c:f2' }, demotion: 0, reasons: [] });

describe('metrics recorder', () => {
  test('three processes’ worth of recorders counting at once lose nothing', async () => {
    const dir = makeTempDir('metrics-recorder');
    const recorders = [0, 1, 2].map(() => recorder(dir, async () => platform(true)));
    await Promise.all(
      recorders.flatMap((r, i) =>
        Array.from({ length: 10 }, (_, n) => {
          r.countOvhAnswer('GET', 200);
          return r.claimFinished({ at: new Date().toISOString(), result: n % 2 === 0 ? 'ok' : 'failed', durationMs: 100 * i, here: [] });
        }),
      ),
    );
    const m = parseExposition(readFileSync(join(dir, 'carp_ovh.prom'), 'utf8'));
    assert.equal(metricValue(m, 'carp_ovh_claims_total', { result: 'ok' }), 15);
    assert.equal(metricValue(m, 'carp_ovh_claims_total', { result: 'failed' }), 15);
    assert.equal(metricValue(m, 'carp_ovh_ovh_requests_total', { method: 'GET', code: '200' }), 30);
  });

  test('a torn metrics.json is set aside and counting starts afresh; a failed platform read keeps the last one', async () => {
    const dir = makeTempDir('metrics-recorder');
    const r = recorder(dir, async () => platform(true));
    await r.claimFinished({ at: new Date().toISOString(), result: 'ok', durationMs: 1500, here: [{ key: '2@vmx1', address: '51.68.252.230' }] });
    writeFileSync(join(dir, 'state', METRICS_FILE), '{"version":1,"counters":{"cla');
    const failing = recorder(dir, async () => {
      throw new Error('ifconfig timed out');
    });
    await failing.claimFinished({ at: new Date().toISOString(), result: 'ok', durationMs: 2000, here: [] });
    const m = parseExposition(readFileSync(join(dir, 'carp_ovh.prom'), 'utf8'));
    assert.equal(metricValue(m, 'carp_ovh_claims_total', { result: 'ok' }), 1, 'afresh after the torn file');
    assert.equal(metricValue(m, 'carp_ovh_claim_duration_seconds'), 2);
    assert.equal(m.get('carp_ovh_master')?.samples.length, 0, 'no platform read yet in the fresh file');
    await r.claimFinished({ at: new Date().toISOString(), result: 'ok', durationMs: 10, here: [] });
    await failing.checkFailed();
    const after = parseExposition(readFileSync(join(dir, 'carp_ovh.prom'), 'utf8'));
    assert.equal(metricValue(after, 'carp_ovh_master', { key: '2@vmx1' }), 1, 'the last good read stands');
    assert.equal(metricValue(after, 'carp_ovh_up'), 0);
  });

  test('vip_here follows the newest look at OVH: a check whose read predates the end of a claim does not undo it', async () => {
    const dir = makeTempDir('metrics-recorder');
    const r = recorder(dir, async () => platform(true));
    const vipHere = () => metricValue(parseExposition(readFileSync(join(dir, 'carp_ovh.prom'), 'utf8')), 'carp_ovh_vip_here', ENTRIES_LABELS);
    const t0 = Date.parse('2026-11-30T06:00:00.000Z');
    const iso = (ms: number) => new Date(t0 + ms).toISOString();
    const away = new Map([['51.68.252.230', false]]);
    // A check that read OVH at +1 s ends after a claim that ran from +0.5 s to +2 s (another process): the claim's view stands.
    await r.claimFinished({ at: iso(500), result: 'ok', durationMs: 1500, here: [{ key: '2@vmx1', address: '51.68.252.230' }] });
    await r.checkFinished({ at: iso(0), probes: [], placements: away, placementsAt: iso(1000) });
    assert.equal(vipHere(), 1, 'the claim ended after the check read OVH');
    // A later read that shows the VIP elsewhere is news, and replaces it.
    await r.checkFinished({ at: iso(3000), probes: [], placements: away, placementsAt: iso(3100) });
    assert.equal(vipHere(), 0, 'a read after the claim wins');
  });
});
