import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppError, buildEnvBox, sealBuildEnv } from '@paas/shared';
import { buildIdOf, isSourceInside, parseBuildJob } from './build-job.js';

const good = { buildId: 'b-1', app: 'hello', commit: 'abc', sourcePath: '/var/paas/builds/b-1.tar', env: { A: 'b' }, buildpacks: [], stack: 'trixie' as const };
const checks = { sourcesDir: '/var/paas/builds' };

test('a well-formed job passes; env and buildpacks default to empty, the stack to bookworm (jobs from before stacks)', () => {
  assert.deepEqual(parseBuildJob(good, checks), good);
  const { env: _e, buildpacks: _b, stack: _s, ...minimal } = good;
  assert.deepEqual(parseBuildJob(minimal, checks), { ...minimal, env: {}, buildpacks: [], stack: 'bookworm' });
  assert.throws(() => parseBuildJob({ ...good, stack: 'heroku-24' }, checks), /stack/);
});

test('bad app names, build ids and relative paths are invalid_params', () => {
  for (const bad of [{ app: '../x' }, { buildId: 'a/b' }, { sourcePath: 'x.tar' }, { env: { A: 1 } }]) {
    assert.throws(
      () => parseBuildJob({ ...good, ...bad }, checks),
      (err: unknown) => err instanceof AppError && err.code === 'invalid_params',
      JSON.stringify(bad),
    );
  }
});

test('the build id is found even in an otherwise bad job, unless it cannot name a key', () => {
  assert.equal(buildIdOf({ buildId: 'b-1', app: 7 }), 'b-1');
  assert.equal(buildIdOf({ buildId: 'x y' }), undefined);
  assert.equal(buildIdOf(null), undefined);
});

test('config vars sealed into the job are opened with the platform secret, and refused without it', () => {
  const box = buildEnvBox('s'.repeat(32));
  const { env: _e, ...rest } = good;
  const sealed = { ...rest, env: {}, sealedEnv: sealBuildEnv(box, { SECRET: 'v' }) };
  assert.deepEqual(parseBuildJob(sealed, { ...checks, envBox: box }), { ...rest, env: { SECRET: 'v' }, buildpacks: [] });
  assert.throws(() => parseBuildJob(sealed, checks), /needs PAAS_SECRET/);
  assert.throws(() => parseBuildJob(sealed, { ...checks, envBox: buildEnvBox('t'.repeat(32)) }), /do not open/);
});

test("a job whose source is not a .tar directly in the builder's sources directory is refused, naming the directory", () => {
  const outside = [
    '/etc/passwd',
    '/var/paas/builds',
    '/var/paas/builds/',
    '/var/paas/builds/../secret.tar',
    '/var/paas/builds/sub/b-1.tar',
    '/var/paas/builds-other/b-1.tar',
    '/var/paas/builds/b-1.tar/',
    '/var/paas/builds//b-1.tar',
    '/var/paas/builds/./b-1.tar',
    '/var/paas/builds/b-1.txt',
    '/var/paas/builds/.tar',
  ];
  for (const sourcePath of outside) {
    assert.equal(isSourceInside(sourcePath, '/var/paas/builds'), false, sourcePath);
    assert.throws(
      () => parseBuildJob({ ...good, sourcePath }, checks),
      (err: unknown) => err instanceof AppError && err.code === 'invalid_params' && /sources directory \/var\/paas\/builds/.test(err.message),
      sourcePath,
    );
  }
  assert.equal(isSourceInside('/var/paas/builds/0a1b-2c.tar', '/var/paas/builds/'), true);
});
