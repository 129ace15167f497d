import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextRange, parseRange, rangeOf } from './range.js';

test('reads the Range spellings Heroku documents and its CLI sends', () => {
  assert.deepEqual(parseRange('id ..; max=200'), { field: 'id', start: undefined, exclusive: false, max: 200, order: undefined });
  assert.deepEqual(parseRange('id ..; max=1000;'), { field: 'id', start: undefined, exclusive: false, max: 1000, order: undefined });
  assert.deepEqual(parseRange('version ..; order=desc,max=1'), { field: 'version', start: undefined, exclusive: false, max: 1, order: 'desc' });
  assert.deepEqual(parseRange('version ..; max=10, order=desc'), { field: 'version', start: undefined, exclusive: false, max: 10, order: 'desc' });
  assert.deepEqual(parseRange('name ]shop..; max=2'), { field: 'name', start: 'shop', exclusive: true, max: 2, order: undefined });
  assert.deepEqual(parseRange('hostname ]www.example.com..'), { field: 'hostname', start: 'www.example.com', exclusive: true, max: 200, order: undefined });
  assert.equal(nextRange({ field: 'id', max: 2, order: 'desc' }, 'abc'), 'id ]abc..; max=2, order=desc');
});

test('refuses malformed and out-of-bounds ranges with a 416', () => {
  for (const bad of ['', 'bytes=0-1', 'id', 'id ..; max=0', 'id ..; max=1001', 'id ..; max=99999999999', 'id ..; max=x', 'id ..; order=up', 'id ..; sort=asc', 'ID ..', `id ${'a'.repeat(1100)}..`, 'id ]a\u0000b..', 'id ]<script>..']) {
    assert.throws(() => parseRange(bad), (err: Error & { code?: string }) => err.code === 'requested_range_not_satisfiable', JSON.stringify(bad));
  }
});

test('pages a list in memory by a field, ascending or descending, after an exclusive start', () => {
  const items = [{ v: 3 }, { v: 1 }, { v: 10 }, { v: 2 }];
  const first = rangeOf(items, parseRange('v ..; max=2'));
  assert.deepEqual(first.items, [{ v: 1 }, { v: 2 }]);
  assert.equal(first.next, 'v ]2..; max=2');
  assert.deepEqual(rangeOf(items, parseRange(first.next!)), { items: [{ v: 3 }, { v: 10 }] });
  assert.deepEqual(rangeOf(items, parseRange('v ..; max=3, order=desc')).items, [{ v: 10 }, { v: 3 }, { v: 2 }]);
  assert.deepEqual(rangeOf(items, parseRange('v 3..; max=5')).items, [{ v: 3 }, { v: 10 }]);
  assert.deepEqual(rangeOf([], parseRange('nope ..')), { items: [] });
  assert.throws(() => rangeOf(items, parseRange('nope ..')), /cannot be ranged by nope/);
});
