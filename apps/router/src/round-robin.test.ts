import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RoundRobin } from './round-robin.js';
import { appRoute, backend } from './test-support.js';

test('backends take turns, per route', () => {
  const rr = new RoundRobin();
  const a = appRoute('a', [], [backend(1, 1), backend(2, 2), backend(3, 3)]);
  const b = appRoute('b', [], [backend(4, 1)]);
  assert.deepEqual([1, 2, 3, 4].map(() => rr.pick(a)?.port), [1, 2, 3, 1]);
  assert.deepEqual([1, 2].map(() => rr.pick(b)?.port), [4, 4]);
  assert.equal(rr.pick(appRoute('none', [], [])), undefined);
});

test('a retry goes to another backend when there is one', () => {
  const rr = new RoundRobin();
  const a = appRoute('a', [], [backend(1, 1), backend(2, 2)]);
  for (let i = 0; i < 4; i++) {
    const first = rr.pick(a)!;
    assert.notEqual(rr.other(a, first), first);
  }
  const solo = appRoute('s', [], [backend(9)]);
  assert.equal(rr.other(solo, solo.backends[0]!), solo.backends[0]);
});
