import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RateLimiter } from '../../src/providers/ovh/rate-limit.ts';

test('at most N requests in any window; the next one waits for the oldest to leave it', async () => {
  const limiter = new RateLimiter(3, 300);
  const started = Date.now();
  const times: number[] = [];
  for (let i = 0; i < 7; i++) {
    await limiter.take();
    times.push(Date.now() - started);
  }
  for (let i = 3; i < times.length; i++) {
    const windowStart = times[i - 3] ?? 0;
    assert.ok((times[i] ?? 0) - windowStart >= 299, `request ${i} at ${times[i]} ms: 4 within 300 ms of ${windowStart}`);
  }
  assert.ok((times[2] ?? 0) < 50, 'the first three go at once');
});

test('callers are served in order, and one that gives up does not block the others', async () => {
  const limiter = new RateLimiter(1, 200);
  await limiter.take();
  const controller = new AbortController();
  const gaveUp = limiter.take(controller.signal);
  const next = limiter.take();
  controller.abort(new Error('deadline'));
  await assert.rejects(gaveUp, /deadline/);
  const before = Date.now();
  await next;
  assert.ok(Date.now() - before < 300);
  assert.equal(await limiter.inLastMinute(), 1);
});
