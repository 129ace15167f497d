import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RateLimiter } from './rate-limit.js';

test('each caller has its budget, refilled evenly over the hour', () => {
  let now = 0;
  const limiter = new RateLimiter(3600, 10, () => now); // one a second
  assert.deepEqual([limiter.take('a'), limiter.take('a')], [3599, 3598]);
  assert.equal(limiter.take('b'), 3599, 'another caller is not charged');
  for (let i = 0; i < 3598; i++) limiter.take('a');
  assert.equal(limiter.take('a'), -1, 'spent');
  assert.equal(limiter.retryAfter('a'), 1);
  now += 1000;
  assert.equal(limiter.take('a'), 0, 'one more after a second');
  assert.equal(limiter.take('a'), -1);
});

test('remembers at most maxCallers callers, forgetting the least recently seen', () => {
  const limiter = new RateLimiter(10, 2, () => 0);
  limiter.take('a');
  limiter.take('b');
  limiter.take('a');
  limiter.take('c'); // b is forgotten
  assert.equal(limiter.take('b'), 9, 'a forgotten caller starts full');
  assert.equal(limiter.take('c'), 8);
});
