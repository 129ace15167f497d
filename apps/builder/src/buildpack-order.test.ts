import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from '@paas/shared';
import { buildpackOrder, builtInBuildpacks, noBuildpackMessage, type BuildpackInfo } from './buildpack-order.js';

const builtIn: BuildpackInfo[] = [
  { name: 'nodejs', looksFor: 'package.json' },
  { name: 'python', looksFor: 'requirements.txt' },
  { name: 'static', looksFor: 'static.json' },
];

test('without an explicit list every built-in buildpack is tried, in the declared order', () => {
  assert.deepEqual(buildpackOrder([], builtIn).map((b) => b.name), ['nodejs', 'python', 'static']);
  assert.deepEqual(buildpackOrder([]).map((b) => b.name), builtInBuildpacks.map((b) => b.name));
  assert.equal(builtInBuildpacks[0]?.name, 'nodejs');
});

test("an app's explicit buildpacks replace the built-in order", () => {
  assert.deepEqual(buildpackOrder(['static', 'nodejs'], builtIn).map((b) => b.name), ['static', 'nodejs']);
});

test('an unknown explicit buildpack is a no_buildpack error naming the built-in ones', () => {
  assert.throws(
    () => buildpackOrder(['cobol'], builtIn),
    (err: unknown) => err instanceof AppError && err.code === 'no_buildpack' && /cobol.*nodejs, python, static/.test(err.message),
  );
});

test('the no-buildpack message says what was looked for', () => {
  assert.equal(noBuildpackMessage(builtIn.slice(0, 1)), 'No buildpack detected: looked for nodejs (package.json)');
});
