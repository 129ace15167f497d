import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatSize } from './format-size.js';

test('sizes read like Heroku’s', () => {
  assert.equal(formatSize(512), '512B');
  assert.equal(formatSize(1536), '1.5K');
  assert.equal(formatSize(54_735_667), '52.2M');
  assert.equal(formatSize(660 * 1024 * 1024), '660M');
  assert.equal(formatSize(1.25 * 1024 ** 3), '1.3G');
});
