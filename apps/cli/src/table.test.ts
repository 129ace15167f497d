import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatKeyValues, formatTable } from './table.js';

describe('formatTable', () => {
  it('aligns columns with two spaces and no trailing spaces', () => {
    assert.deepEqual(
      formatTable([
        ['web.1', 'up', 'host-a', 'v3', '2m ago'],
        ['web.10', 'crashed', 'h', 'v12', 'just now'],
      ]),
      ['web.1   up       host-a  v3   2m ago', 'web.10  crashed  h       v12  just now'],
    );
  });

  it('drops empty trailing cells', () => {
    assert.deepEqual(formatTable([['v2', 'a', '(current)'], ['v1', 'bb', '']]), ['v2  a   (current)', 'v1  bb']);
  });

  it('formats nothing as nothing', () => {
    assert.deepEqual(formatTable([]), []);
  });
});

describe('formatKeyValues', () => {
  it('aligns values after the colons, Heroku style', () => {
    assert.deepEqual(formatKeyValues([['A', '1'], ['LONG_KEY', 'two words']]), ['A:        1', 'LONG_KEY: two words']);
  });
});
