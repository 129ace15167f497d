import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from './errors.js';
import { parseBuildpackEntry } from './buildpack-entry.js';

test('built-in names, with or without heroku/', () => {
  assert.deepEqual(parseBuildpackEntry('nodejs'), { kind: 'builtin', name: 'nodejs' });
  assert.deepEqual(parseBuildpackEntry(' heroku/python '), { kind: 'builtin', name: 'python' });
});

test('git URLs with an optional ref', () => {
  assert.deepEqual(parseBuildpackEntry('https://github.com/org/bp.git#v1.2'), { kind: 'git', url: 'https://github.com/org/bp.git', ref: 'v1.2' });
  assert.deepEqual(parseBuildpackEntry('file:///srv/bp'), { kind: 'git', url: 'file:///srv/bp', ref: undefined });
  assert.deepEqual(parseBuildpackEntry('https://example.com/bp#'), { kind: 'git', url: 'https://example.com/bp', ref: undefined });
});

test('plain http, git:// and credentials in the URL are refused, naming the rule', () => {
  for (const [bad, reason] of [
    ['http://example.com/bp.tgz', /plain http:\/\/ is not allowed/],
    ['git://example.com/bp', /plain git:\/\/ is not allowed/],
    ['https://deploy:s3cret@git.example.com/bp.git', /credentials in a URL are not allowed/],
  ] as const) {
    assert.throws(
      () => parseBuildpackEntry(bad),
      (err: unknown) => err instanceof AppError && err.status === 422 && reason.test(err.message) && /buildpack URLs are https:\/\//.test(err.message) && !err.message.includes('s3cret'),
      bad,
    );
  }
});

test('anything else is invalid_params', () => {
  for (const bad of ['cobol', 'ext::sh -c touch%20x', 'git@github.com:org/bp.git', '-u/bin/sh', 'https://x/bp#-upload', 'https://x/bp#a..b', 'ssh://x/bp']) {
    assert.throws(() => parseBuildpackEntry(bad), (err: unknown) => err instanceof AppError && err.code === 'invalid_params', bad);
  }
});
