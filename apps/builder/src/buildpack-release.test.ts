import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from '@paas/shared';
import { parseReleaseYaml } from './buildpack-release.js';

test('reads default_process_types', () => {
  assert.deepEqual(parseReleaseYaml('default_process_types:\n  web: npm start\n  worker: node w.js\n', 'nodejs'), {
    web: 'npm start',
    worker: 'node w.js',
  });
});

test('empty output, an empty mapping or other keys only mean no defaults', () => {
  assert.deepEqual(parseReleaseYaml('', 'nodejs'), {});
  assert.deepEqual(parseReleaseYaml('default_process_types: {}\n', 'nodejs'), {});
  assert.deepEqual(parseReleaseYaml('addons: []\nconfig_vars:\n  A: b\n', 'nodejs'), {});
});

test('malformed output fails the build with build_failed, naming the buildpack', () => {
  for (const text of ['default_process_types: [web]\n', 'just text', 'default_process_types:\n  web: [1]\n', 'a: b: c']) {
    assert.throws(
      () => parseReleaseYaml(text, 'nodejs'),
      (err: unknown) => err instanceof AppError && err.code === 'build_failed' && err.message.includes('nodejs'),
      text,
    );
  }
});
