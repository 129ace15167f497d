import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePythonMetadata } from './python-metadata.js';

test('METADATA: name, version and licence from License, License-Expression or classifiers', () => {
  assert.deepEqual(parsePythonMetadata('Metadata-Version: 2.1\nName: requests\nVersion: 2.31.0\nLicense: Apache 2.0\n\nbody'), { name: 'requests', version: '2.31.0', licenses: ['Apache 2.0'] });
  assert.deepEqual(parsePythonMetadata('Name: flask\nVersion: 3.0.0\nLicense-Expression: BSD-3-Clause\nLicense: long text\n'), { name: 'flask', version: '3.0.0', licenses: ['BSD-3-Clause'] });
  assert.deepEqual(parsePythonMetadata('Name: x\nVersion: 1\nLicense: UNKNOWN\nClassifier: License :: OSI Approved :: MIT License\n')?.licenses, ['MIT License']);
  assert.equal(parsePythonMetadata('Version: 1\n'), undefined);
});
