import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cacheVolumeName, slugImageName } from './image-name.js';

test('the image is paas/<app>:b-<short build id>, lowercase', () => {
  assert.deepEqual(slugImageName('hello', '0F8E2C1A-77B4-4C5D-9E10-1234567890AB'), {
    repo: 'paas/hello',
    tag: 'b-0f8e2c1a77b4',
    ref: 'paas/hello:b-0f8e2c1a77b4',
  });
  assert.equal(slugImageName('my-app', '42').ref, 'paas/my-app:b-42');
});

test('app names and build ids that cannot name an image are refused', () => {
  assert.throws(() => slugImageName('../etc', 'b1'), /invalid app name/);
  assert.throws(() => slugImageName('hello', '---'), /build id/);
});

test('the cache volume is per cluster and app', () => {
  assert.equal(cacheVolumeName('local', 'hello'), 'paas-cache-local-hello');
});
