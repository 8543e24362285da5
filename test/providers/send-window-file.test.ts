import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { test } from 'node:test';
import { RateLimiter } from '../../src/providers/ovh/rate-limit.ts';
import { SEND_WINDOW_FILE, stateDirWindow } from '../../src/providers/ovh/send-window-file.ts';
import { StateDir } from '../../src/state.ts';
import { makeTempDir } from '../support/tmp.ts';

test('two limiters on one state dir (a claim worker and the health loop) share one window', async () => {
  const state = new StateDir(makeTempDir('send-window'));
  await state.ensure();
  const granted: number[] = [];
  const onGrant = (at: number): void => {
    granted.push(at);
  };
  const windowMs = 400;
  const a = new RateLimiter(3, windowMs, stateDirWindow(state, { onGrant }));
  const b = new RateLimiter(3, windowMs, stateDirWindow(state, { onGrant }));
  await Promise.all([...Array.from({ length: 5 }, () => a.take()), ...Array.from({ length: 5 }, () => b.take())]);
  assert.equal(granted.length, 10);
  const sorted = [...granted].sort((x, y) => x - y);
  // The property itself, on the times the window decided at: any 4 grants span at least the window.
  for (let i = 3; i < sorted.length; i++) {
    assert.ok((sorted[i] ?? 0) - (sorted[i - 3] ?? 0) >= windowMs, `grants ${i - 3}..${i} within ${windowMs} ms: ${sorted.join(', ')}`);
  }
});

test('a torn window file is set aside, and stamps from a clock stepped back are ignored', async () => {
  const state = new StateDir(makeTempDir('send-window-torn'));
  await state.ensure();
  await writeFile(state.file(SEND_WINDOW_FILE), '{"sent": [1, 2,');
  const limiter = new RateLimiter(2, 60_000, stateDirWindow(state));
  await limiter.take();
  assert.equal(await limiter.inLastMinute(), 1);
  // Stamps an hour ahead would block for ever if they counted.
  await writeFile(state.file(SEND_WINDOW_FILE), JSON.stringify({ sent: [Date.now() + 3_600_000, Date.now() + 3_600_000] }));
  await limiter.take();
  assert.equal(await limiter.inLastMinute(), 1);
});
