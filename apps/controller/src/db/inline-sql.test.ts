import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { inlineParams, sqlLiteral } from './inline-sql.js';

describe('inline SQL literals', () => {
  test('numbers, booleans, null, strings, arrays and JSON', () => {
    assert.equal(sqlLiteral(42), '42');
    assert.equal(sqlLiteral(true), 'TRUE');
    assert.equal(sqlLiteral(null), 'NULL');
    assert.equal(sqlLiteral(undefined), 'NULL');
    assert.equal(sqlLiteral('worker'), "'worker'");
    assert.equal(sqlLiteral(['web', 'worker']), "ARRAY['web', 'worker']");
    assert.equal(sqlLiteral([1, 0]), 'ARRAY[1, 0]');
    assert.equal(sqlLiteral([]), "'{}'");
    assert.equal(sqlLiteral({ updates: [{ type: 'web', quantity: 2 }] }), `'{"updates":[{"type":"web","quantity":2}]}'`);
  });

  test('a string that could leave its quotes is refused, not escaped', () => {
    for (const bad of ["o'brien", 'back\\slash', 'nul\0', ["x'"], { k: "'" }, { k: '\\' }]) {
      assert.throws(() => sqlLiteral(bad), /refusing to inline/);
    }
    assert.throws(() => sqlLiteral(Number.NaN), /not a finite number/);
  });

  test('placeholders are replaced by position, repeated ones too', () => {
    assert.equal(inlineParams('SELECT $1::uuid, $2, $1, $10', ['a', 2, null, null, null, null, null, null, null, 'j']), "SELECT 'a'::uuid, 2, 'a', 'j'");
    assert.throws(() => inlineParams('SELECT $2', ['a']), /no parameter \$2/);
  });
});
