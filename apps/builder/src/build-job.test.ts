import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppError, buildEnvBox, sealBuildEnv } from '@paas/shared';
import { buildIdOf, parseBuildJob } from './build-job.js';

const good = { buildId: 'b-1', app: 'hello', commit: 'abc', sourcePath: '/var/paas/b-1.tar', env: { A: 'b' }, buildpacks: [] };

test('a well-formed job passes; env and buildpacks default to empty', () => {
  assert.deepEqual(parseBuildJob(good), good);
  const { env: _e, buildpacks: _b, ...minimal } = good;
  assert.deepEqual(parseBuildJob(minimal), { ...minimal, env: {}, buildpacks: [] });
});

test('bad app names, build ids and relative paths are invalid_params', () => {
  for (const bad of [{ app: '../x' }, { buildId: 'a/b' }, { sourcePath: 'x.tar' }, { env: { A: 1 } }]) {
    assert.throws(
      () => parseBuildJob({ ...good, ...bad }),
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
  assert.deepEqual(parseBuildJob(sealed, box), { ...rest, env: { SECRET: 'v' }, buildpacks: [] });
  assert.throws(() => parseBuildJob(sealed), /needs PAAS_SECRET/);
  assert.throws(() => parseBuildJob(sealed, buildEnvBox('t'.repeat(32))), /do not open/);
});
