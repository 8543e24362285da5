/** The text format renderer, checked by a strict parser (and by promtool where it is installed). */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { render, type MetricFamily } from '../../src/core/metrics/exposition.ts';
import { buildFamilies } from '../../src/core/metrics/families.ts';
import { codeLabel, emptySnapshot } from '../../src/core/metrics/snapshot.ts';
import { parseExposition, metricValue } from '../support/prom-parse.ts';

function promtool(): string | null {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir === '') continue;
    try {
      accessSync(join(dir, 'promtool'), constants.X_OK);
      return join(dir, 'promtool');
    } catch {
      // not in this directory
    }
  }
  return null;
}

const hostile = 'a\\b"c\nd';

function sample(): MetricFamily[] {
  const snapshot = emptySnapshot();
  snapshot.check = {
    at: '2026-01-02T03:04:05.000Z',
    up: true,
    probes: [
      { name: 'vault', ok: true, durationMs: 12 },
      { name: hostile, ok: false, durationMs: 1500 },
    ],
  };
  snapshot.platform = { at: '2026-01-02T03:04:05.000Z', masters: { '2@vmx1': true }, demotion: 1048576, reasons: [hostile] };
  snapshot.vips = { '51.68.252.230': { key: '2@vmx1', here: true, at: '2026-01-02T03:04:05.000Z' } };
  snapshot.counters.claims = { ok: 3, failed: 1 };
  snapshot.counters.ovhRequests = { 'GET 200': 40, 'POST 3xx': 1, 'DELETE none': 2 };
  snapshot.claim = { at: '2026-01-02T03:04:05.000Z', result: 'ok', durationMs: 2500 };
  snapshot.lastClaimSuccessAt = '2026-01-02T03:04:07.500Z';
  snapshot.vaultTokenTtlSeconds = 300;
  return buildFamilies(snapshot, [{ key: '2@vmx1', addresses: ['51.68.252.230'] }]);
}

describe('metrics exposition', () => {
  test('every family has HELP and TYPE, label values are escaped, and the strict parser reads back what was rendered', () => {
    const text = render(sample());
    const families = parseExposition(text);
    assert.ok(text.includes('probe="a\\\\b\\"c\\nd"'), text);
    assert.equal(metricValue(families, 'carp_ovh_probe_up', { probe: hostile }), 0);
    assert.equal(metricValue(families, 'carp_ovh_probe_duration_seconds', { probe: hostile }), 1.5);
    assert.equal(metricValue(families, 'carp_ovh_demotion_reason', { reason: hostile }), 1);
    assert.equal(metricValue(families, 'carp_ovh_demotion_reason', { reason: 'vault' }), 0);
    assert.equal(metricValue(families, 'carp_ovh_claims_total', { result: 'ok' }), 3);
    assert.equal(metricValue(families, 'carp_ovh_claims_total', { result: 'busy' }), 0);
    assert.equal(metricValue(families, 'carp_ovh_claim_last_success_timestamp_seconds'), Date.parse('2026-01-02T03:04:07.500Z') / 1000);
    assert.equal(metricValue(families, 'carp_ovh_ovh_requests_total', { method: 'DELETE', code: 'none' }), 2);
    assert.equal(metricValue(families, 'carp_ovh_vip_here', { key: '2@vmx1', address: '51.68.252.230' }), 1);
    for (const family of families.values()) {
      assert.match(family.name, /^carp_ovh_[a-z_]+$/);
      assert.equal(family.type === 'counter', family.name.endsWith('_total'), family.name);
    }
  });

  test('the renderer refuses what Prometheus would reject or its conventions forbid', () => {
    assert.throws(() => render([{ name: 'carp_ovh_claims', type: 'counter', help: 'x', samples: [] }]), /_total/);
    assert.throws(() => render([{ name: 'carp_ovh_x_total', type: 'gauge', help: 'x', samples: [] }]), /_total/);
    assert.throws(() => render([{ name: 'carp-ovh', type: 'gauge', help: 'x', samples: [] }]), /invalid metric name/);
    assert.throws(() => render([{ name: 'a', type: 'gauge', help: 'x', samples: [{ labels: { __x: '1' }, value: 1 }] }]), /label name/);
    assert.throws(() => render([{ name: 'a', type: 'gauge', help: 'x', samples: [{ value: 1 }, { value: 2 }] }]), /two samples/);
  });

  test('the parser is strict: it rejects missing HELP, split families, bad escapes, a missing newline', () => {
    assert.throws(() => parseExposition('# TYPE a gauge\na 1\n'), /HELP/);
    assert.throws(() => parseExposition('# HELP a x\n# TYPE a gauge\na 1\n# HELP b y\n# TYPE b gauge\nb 1\na{x="1"} 2\n'), /outside|twice/);
    assert.throws(() => parseExposition('# HELP a x\n# TYPE a gauge\na{x="\\t"} 1\n'), /escape/);
    assert.throws(() => parseExposition('# HELP a x\n# TYPE a gauge\na 1'), /newline/);
    assert.throws(() => parseExposition('# HELP a_total x\n# TYPE a_total gauge\na_total 1\n'), /_total/);
  });

  test('status codes are clamped to a small set', () => {
    assert.equal(codeLabel(200), '200');
    assert.equal(codeLabel(409), '409');
    assert.equal(codeLabel(418), '4xx');
    assert.equal(codeLabel(302), '3xx');
    assert.equal(codeLabel(null), 'none');
    assert.equal(codeLabel(0), 'none');
    assert.equal(codeLabel(999), 'none');
  });

  test('promtool check metrics accepts the output (where promtool is installed)', (t) => {
    const tool = promtool();
    if (tool === null) {
      t.diagnostic('promtool is not on PATH: skipping `promtool check metrics` (the strict parser above still ran)');
      t.skip('promtool not installed');
      return;
    }
    const result = spawnSync(tool, ['check', 'metrics'], { input: render(sample()), encoding: 'utf8' });
    assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
  });
});
