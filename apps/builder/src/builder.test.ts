import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BuildJobData, BuildResult } from '@paas/shared';
import { AppError } from '@paas/shared';
import { BuilderRegistry, type Builder, type DetectContext } from './builder.js';
import { SourceListing } from './source-listing.js';

const job: BuildJobData = { buildId: 'b1', app: 'hello', commit: 'abc', sourcePath: '/tmp/x.tar', env: {}, buildpacks: [] };

function fake(name: string, detects: (ctx: DetectContext) => boolean): Builder {
  return {
    name,
    detect: detects,
    build: async () => ({ image: name, processTypes: {}, buildpack: name, imageSize: 0, buildImageSize: 0 }) as BuildResult,
  };
}

test('builders are tried in the declared precedence, whatever order they were given in', () => {
  const registry = new BuilderRegistry([
    fake('buildpacks', () => true),
    fake('dockerfile', (ctx) => ctx.source.has('Dockerfile')),
  ]);
  assert.deepEqual(registry.names, ['dockerfile', 'buildpacks']);
  assert.equal(registry.select({ job, source: new SourceListing(['Dockerfile', 'package.json']) }).name, 'dockerfile');
  assert.equal(registry.select({ job, source: new SourceListing(['package.json']) }).name, 'buildpacks');
});

test('a builder outside the precedence list is refused when wiring', () => {
  assert.throws(() => new BuilderRegistry([fake('magic', () => true)]), /builderPrecedence/);
});

test('nothing detecting is a no_buildpack error', () => {
  const registry = new BuilderRegistry([fake('dockerfile', () => false)]);
  assert.throws(
    () => registry.select({ job, source: new SourceListing([]) }),
    (err: unknown) => err instanceof AppError && err.code === 'no_buildpack',
  );
});

test('PAAS_BUILDER overrides detection; named buildpacks beat a Dockerfile', () => {
  const registry = new BuilderRegistry([fake('buildpacks', () => true), fake('dockerfile', (ctx) => ctx.source.has('Dockerfile'))]);
  const withDockerfile = new SourceListing(['Dockerfile', 'package.json']);
  const pick = (env: Record<string, string>, buildpacks: string[] = [], source = withDockerfile): string =>
    registry.select({ job: { ...job, env, buildpacks }, source }).name;
  assert.equal(pick({}), 'dockerfile');
  assert.equal(pick({ PAAS_BUILDER: 'buildpacks' }), 'buildpacks');
  assert.equal(pick({ PAAS_BUILDER: 'dockerfile' }, ['nodejs'], new SourceListing(['package.json'])), 'dockerfile');
  assert.equal(pick({}, ['nodejs']), 'buildpacks');
  assert.equal(pick({ BUILDPACK_URL: 'https://example.com/bp.git' }), 'buildpacks');
  assert.equal(pick({}, [], new SourceListing(['Dockerfile', '.buildpacks'], { '.buildpacks': 'nodejs\n' })), 'buildpacks');
  assert.throws(
    () => pick({ PAAS_BUILDER: 'magic' }),
    (err: unknown) => err instanceof AppError && err.code === 'build_failed' && /PAAS_BUILDER is "magic"/.test(err.message),
  );
});
