import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withTimeout } from './with-timeout.js';

test('withTimeout gives the value of a promise that settles in time', async () => {
  assert.equal(await withTimeout(Promise.resolve(7), 1000, 'seven'), 7);
});

test('withTimeout passes on the rejection of a promise that fails in time, as an Error', async () => {
  await assert.rejects(withTimeout(Promise.reject(new Error('refused')), 1000, 'ping'), /^Error: refused$/);
  await assert.rejects(withTimeout(Promise.reject('a string'), 1000, 'ping'), (err: unknown) => err instanceof Error && err.message === 'a string');
});

test('withTimeout rejects, naming what, when the promise does not settle in time', async () => {
  await assert.rejects(withTimeout(new Promise(() => undefined), 5, 'redis ping'), /^Error: redis ping timed out after 5 ms$/);
});
