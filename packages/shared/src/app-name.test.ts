import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isValidAppName } from './app-name.js';

test('accepts DNS-safe lowercase names', () => {
  for (const name of ['hello', 'my-app-2', 'abc', 'a'.repeat(30)]) assert.ok(isValidAppName(name), name);
});

test('refuses paths, uppercase, too long, edge dashes', () => {
  for (const name of ['../x', 'Hello', 'a'.repeat(31), 'ab', '-abc', 'abc-', '1abc', 'a_b', 'a.b', 'a--b', ''])
    assert.equal(isValidAppName(name), false, name);
});
