import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay } from './backoff.js';

test('doubles from the base up to the cap, with jitter in the upper half', () => {
  const o = { baseMs: 500, maxMs: 30_000 };
  assert.deepEqual([1, 2, 3, 4, 7, 8, 50].map((n) => backoffDelay(n, { ...o, random: () => 0.999999 })), [500, 1000, 2000, 4000, 30000, 30000, 30000]);
  assert.deepEqual([1, 2, 3].map((n) => backoffDelay(n, { ...o, random: () => 0 })), [250, 500, 1000]);
  assert.equal(backoffDelay(0, { ...o, random: () => 0 }), 250, 'attempts start at 1');
  for (let i = 0; i < 100; i++) {
    const d = backoffDelay(5, o);
    assert.ok(d >= 4000 && d <= 8000, String(d));
  }
});
