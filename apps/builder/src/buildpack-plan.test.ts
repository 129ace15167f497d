import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppError, builtInBuildpackNames } from '@paas/shared';
import { builtInBuildpacks, describeBuildpack, noBuildpackMessage, parseBuildpacksFile, planBuildpacks } from './buildpack-plan.js';

const none = { appBuildpacks: [], env: {}, dotBuildpacks: undefined };

test('without buildpacks named, every built-in is tried in the declared order', () => {
  const plan = planBuildpacks(none);
  assert.equal(plan.source, 'detect');
  assert.deepEqual(plan.buildpacks.map((b) => b.name), ['nodejs', 'python', 'go', 'static']);
  assert.deepEqual(builtInBuildpacks.map((b) => b.name), [...builtInBuildpackNames], 'the shared list names the same buildpacks');
});

test("the app's setting wins over BUILDPACK_URL, which wins over .buildpacks", () => {
  const dotBuildpacks = '# built with\nhttps://example.com/a.git#v1\n\nstatic\n';
  const env = { BUILDPACK_URL: 'https://example.com/b.git' };
  assert.deepEqual(planBuildpacks({ appBuildpacks: ['heroku/nodejs'], env, dotBuildpacks }), { source: 'app', buildpacks: [builtInBuildpacks[0]] });
  const fromVar = planBuildpacks({ appBuildpacks: [], env, dotBuildpacks });
  assert.equal(fromVar.source, 'BUILDPACK_URL');
  assert.deepEqual(fromVar.buildpacks, [{ kind: 'git', url: 'https://example.com/b.git', ref: undefined, name: 'b' }]);
  const fromFile = planBuildpacks({ appBuildpacks: [], env: {}, dotBuildpacks });
  assert.equal(fromFile.source, '.buildpacks');
  assert.deepEqual(fromFile.buildpacks.map(describeBuildpack), ['https://example.com/a.git#v1', 'static']);
});

test('buildpacks get distinct directory names', () => {
  const plan = planBuildpacks({ ...none, appBuildpacks: ['https://x.org/one/bp.git', 'file:///srv/two/bp#main'] });
  assert.deepEqual(plan.buildpacks.map((b) => b.name), ['bp', 'bp-2']);
});

test('.buildpacks skips blank lines and comments; an empty file means detection', () => {
  assert.deepEqual(parseBuildpacksFile(' nodejs \r\n# x\n\nhttps://a/b\n'), ['nodejs', 'https://a/b']);
  assert.equal(planBuildpacks({ ...none, dotBuildpacks: '# nothing\n' }).source, 'detect');
});

test('an unknown name is invalid_params naming the built-ins', () => {
  assert.throws(
    () => planBuildpacks({ ...none, appBuildpacks: ['cobol'] }),
    (err: unknown) => err instanceof AppError && err.code === 'invalid_params' && /cobol.*nodejs, python, go, static/.test(err.message),
  );
});

test('the no-buildpack message says what was looked for', () => {
  assert.equal(noBuildpackMessage(builtInBuildpacks.slice(0, 1)), 'No buildpack detected: looked for nodejs (package.json)');
});

test("app.json's buildpacks come after .buildpacks, before detection; a malformed app.json fails the build saying why", () => {
  const appJson = JSON.stringify({ name: 'x', buildpacks: [{ url: 'heroku/nodejs' }, { url: 'https://example.com/c.git#v3' }] });
  const plan = planBuildpacks({ ...none, appJson });
  assert.equal(plan.source, 'app.json');
  assert.deepEqual(plan.buildpacks.map(describeBuildpack), ['nodejs', 'https://example.com/c.git#v3']);
  assert.equal(planBuildpacks({ ...none, dotBuildpacks: 'static\n', appJson }).source, '.buildpacks');
  assert.equal(planBuildpacks({ ...none, appJson: '{"name":"no buildpacks"}' }).source, 'detect');
  for (const bad of ['{"buildpacks":', '[]', '{"buildpacks":"heroku/nodejs"}', '{"buildpacks":[{"url":42}]}']) {
    assert.throws(() => planBuildpacks({ ...none, appJson: bad }), (err: unknown) => err instanceof AppError && err.code === 'build_failed' && /app\.json/.test(err.message), bad);
  }
});

test("Heroku's buildpack names and GitHub URLs mean the built-ins in .buildpacks, app.json and the app's setting", () => {
  const builtin = (name: string) => builtInBuildpacks.find((b) => b.name === name);
  const dot = planBuildpacks({ ...none, dotBuildpacks: 'https://github.com/heroku/heroku-buildpack-nodejs.git\nheroku-community/static\n' });
  assert.deepEqual(dot.buildpacks, [builtin('nodejs'), builtin('static')]);
  const appJson = JSON.stringify({ buildpacks: [{ url: 'heroku/python' }, { url: 'https://github.com/heroku/heroku-buildpack-go' }] });
  assert.deepEqual(planBuildpacks({ ...none, appJson }).buildpacks, [builtin('python'), builtin('go')]);
  assert.deepEqual(planBuildpacks({ ...none, appBuildpacks: ['heroku/go', 'https://github.com/heroku/heroku-buildpack-static#main'] }).buildpacks, [builtin('go'), builtin('static')]);
});
