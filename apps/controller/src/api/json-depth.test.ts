import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonDepthMax, jsonNestsDeeperThan } from './json-depth.js';

const bytes = (s: string): Buffer => Buffer.from(s, 'utf8');
const nested = (n: number): string => '['.repeat(n) + ']'.repeat(n);

test('json depth: counts arrays and objects, up to the limit and one past it', () => {
  assert.equal(jsonNestsDeeperThan(bytes(nested(jsonDepthMax))), false);
  assert.equal(jsonNestsDeeperThan(bytes(nested(jsonDepthMax + 1))), true);
  assert.equal(jsonNestsDeeperThan(bytes('{"a":{"b":[{"c":1}]}}'), 4), false);
  assert.equal(jsonNestsDeeperThan(bytes('{"a":{"b":[{"c":1}]}}'), 3), true);
  assert.equal(jsonNestsDeeperThan(bytes(`[${'[1],'.repeat(10_000)}[]]`), 2), false, 'siblings do not add up');
  assert.equal(jsonNestsDeeperThan(bytes(nested(50_000))), true);
});

test('json depth: brackets inside strings, escaped quotes and multi-byte characters are not nesting', () => {
  assert.equal(jsonNestsDeeperThan(bytes(JSON.stringify({ a: '[[[[{{{{' })), 1), false);
  assert.equal(jsonNestsDeeperThan(bytes(JSON.stringify({ a: 'say \\"[[[[\\" and \\\\', b: '"[[' })), 1), false);
  assert.equal(jsonNestsDeeperThan(bytes(JSON.stringify({ 'ключ[': '日本[[' })), 1), false);
  // An escaped quote does not end the string: the brackets after it are still inside.
  assert.equal(jsonNestsDeeperThan(bytes('["\\"[[[[", 1]'), 1), false);
  assert.equal(jsonNestsDeeperThan(bytes('["\\\\", [[1]]]'), 2), true, 'an escaped backslash does end the string');
});
