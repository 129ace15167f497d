import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from './errors.js';
import { parseBuildpackEntry } from './buildpack-entry.js';

test('built-in names, with or without heroku/', () => {
  assert.deepEqual(parseBuildpackEntry('nodejs'), { kind: 'builtin', name: 'nodejs' });
  assert.deepEqual(parseBuildpackEntry(' heroku/python '), { kind: 'builtin', name: 'python' });
});

test("Heroku's registry names and GitHub URLs of its buildpacks mean the built-ins", () => {
  const cases: [string, string][] = [
    ['heroku/nodejs', 'nodejs'],
    ['heroku/go', 'go'],
    ['heroku-community/static', 'static'],
    ['https://github.com/heroku/heroku-buildpack-nodejs', 'nodejs'],
    ['https://github.com/heroku/heroku-buildpack-python.git', 'python'],
    ['https://github.com/heroku/heroku-buildpack-go/', 'go'],
    ['https://github.com/heroku/heroku-buildpack-static#main', 'static'],
    ['http://github.com/heroku/heroku-buildpack-nodejs', 'nodejs'],
  ];
  for (const [entry, name] of cases) assert.deepEqual(parseBuildpackEntry(entry), { kind: 'builtin', name }, entry);
  // Other buildpacks of Heroku's, and look-alikes elsewhere, are not built-ins.
  assert.deepEqual(parseBuildpackEntry('https://github.com/heroku/heroku-buildpack-ruby'), { kind: 'git', url: 'https://github.com/heroku/heroku-buildpack-ruby', ref: undefined });
  assert.deepEqual(parseBuildpackEntry('https://github.com/someone/heroku-buildpack-nodejs'), { kind: 'git', url: 'https://github.com/someone/heroku-buildpack-nodejs', ref: undefined });
  assert.throws(() => parseBuildpackEntry('heroku/ruby'), (err: unknown) => err instanceof AppError && err.code === 'invalid_params');
  assert.throws(() => parseBuildpackEntry('heroku-community/cobol'), (err: unknown) => err instanceof AppError && err.code === 'invalid_params');
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
