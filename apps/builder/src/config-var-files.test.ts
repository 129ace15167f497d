import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configVarFiles } from './config-var-files.js';

test('each config var becomes a file named by its key; keys that are not names are skipped', () => {
  const { files, skipped } = configVarFiles({ NODE_ENV: 'staging', API_KEY: 'a b\nc', '../x': 'no', '1A': 'no', 'A-B': 'no' });
  assert.deepEqual(files.map((f) => [f.name, f.content]), [
    ['NODE_ENV', 'staging'],
    ['API_KEY', 'a b\nc'],
  ]);
  assert.deepEqual(skipped, ['../x', '1A', 'A-B']);
});
