import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { RateLimiter } from '../../src/providers/ovh/rate-limit.ts';

/**
 * The window is the behaviour under test, so the clock is the test's own
 * (node:test's mock timers for Date and setTimeout): every grant time is exact,
 * whatever else the machine is doing.
 */
function mockClock(t: TestContext): { advance(ms: number): Promise<void> } {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
  // Real setImmediate (not mocked): lets every promise the last tick resolved settle.
  const settle = async (): Promise<void> => {
    for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
  };
  return {
    async advance(ms: number) {
      await settle();
      t.mock.timers.tick(ms);
      await settle();
    },
  };
}

test('at most N requests in any window; the next one waits for the oldest to leave it', async (t) => {
  const clock = mockClock(t);
  const limiter = new RateLimiter(3, 300);
  const granted: number[] = [];
  for (let i = 0; i < 7; i++) void limiter.take().then(() => granted.push(Date.now()));
  await clock.advance(0);
  assert.deepEqual(granted, [0, 0, 0], 'the first three go at once, the fourth waits');
  await clock.advance(299);
  assert.deepEqual(granted, [0, 0, 0], 'still inside the window of the first three');
  await clock.advance(1);
  // The first three left the window together: three more fit, the seventh waits for them.
  assert.deepEqual(granted, [0, 0, 0, 300, 300, 300]);
  await clock.advance(300);
  assert.deepEqual(granted, [0, 0, 0, 300, 300, 300, 600]);
  assert.equal(limiter.inLastMinute, 1);
});

test('callers are served in order, and one that gives up does not block the others', async (t) => {
  const clock = mockClock(t);
  const limiter = new RateLimiter(1, 200);
  await limiter.take();
  const controller = new AbortController();
  const gaveUp = limiter.take(controller.signal);
  let nextAt: number | null = null;
  const next = limiter.take().then(() => (nextAt = Date.now()));
  await clock.advance(50);
  controller.abort(new Error('deadline'));
  await assert.rejects(gaveUp, /deadline/);
  await clock.advance(149);
  assert.equal(nextAt, null, 'the window is still full');
  await clock.advance(1);
  await next;
  assert.equal(nextAt, 200, 'served as soon as the window allowed, not after the one that gave up');
  assert.equal(limiter.inLastMinute, 1);
});
