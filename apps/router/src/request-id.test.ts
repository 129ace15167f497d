import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requestIdFor } from './request-id.js';

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

test('a sane client id is kept', () => {
  assert.equal(requestIdFor('0123456789abcdefABCD'), '0123456789abcdefABCD');
  assert.equal(requestIdFor(['f0e1d2c3-b4a5-4697-8899-aabbccddeeff']), 'f0e1d2c3-b4a5-4697-8899-aabbccddeeff');
});

test('a missing, short, long or odd id is replaced by a UUID', () => {
  for (const bad of [undefined, '', 'short', 'x'.repeat(201), 'has spaces in it, twenty+ chars', 'abc\r\nInjected: header!!']) {
    assert.match(requestIdFor(bad), uuid, String(bad));
  }
  assert.notEqual(requestIdFor(undefined), requestIdFor(undefined));
});
