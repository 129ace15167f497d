import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonDepthMax, jsonNestsDeeperThan, jsonShapeProblem, jsonValuesMax } from './json-depth.js';

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

test('json values: commas and containers outside strings are counted, up to the limit and one past it', () => {
  const keys = (n: number): Buffer => bytes(JSON.stringify(Object.fromEntries(Array.from({ length: n }, (_, i) => [`K${i}`, 'a,b,[c]']))));
  // An object of n members: n - 1 commas and 1 object.
  assert.equal(jsonShapeProblem(keys(jsonValuesMax)), undefined);
  assert.equal(jsonShapeProblem(keys(jsonValuesMax + 1)), 'too_many_values');
  assert.equal(jsonShapeProblem(keys(20_000)), 'too_many_values');
  assert.equal(jsonShapeProblem(bytes(JSON.stringify({ s: ','.repeat(100_000) }))), undefined, 'commas in strings are not values');
  assert.equal(jsonShapeProblem(bytes(nested(jsonDepthMax + 1))), 'too_deep');
  assert.equal(jsonShapeProblem(bytes('[' + '[],'.repeat(6_000) + '[]]')), 'too_many_values', 'empty arrays count too');
});
