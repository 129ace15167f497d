// Each built image goes to the registry (issue 19): the runner pushes it after the build and says
// so; a push the registry refuses is shown and the build still succeeds (hosts then get the image
// from this builder by save and load). Real Redis; the builder itself is a stand-in.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { BuildJobData, BuildLogEntry, BuildResult } from '@paas/shared';
import { RedisKeys, createLogger, readBuildLog } from '@paas/shared';
import { testRedisUrl } from '@paas/test-kit';
import { BuilderRegistry, type Builder } from './builder.js';
import { BuildRunner } from './build-runner.js';
import { fakeCommit, gitArchive, removeKeys } from './test-support.js';

const prefix = `paas-test-publish-${randomBytes(4).toString('hex')}`;
const keys = new RedisKeys(prefix);
const log = createLogger('test', 'silent');
let redis: Redis;
let sources: string;

const result: BuildResult = { image: 'paas/pub:b-1', processTypes: { web: 'true' }, buildpack: 'stand-in', imageSize: 1, buildImageSize: 1 };
const standIn: Builder = { name: 'buildpacks', detect: () => true, build: async () => result };

before(() => {
  redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
  sources = mkdtempSync(join(tmpdir(), 'paas-publish-'));
});
after(async () => {
  await removeKeys(redis, prefix);
  redis.disconnect();
  rmSync(sources, { recursive: true, force: true });
});

async function runWith(publish: (image: string, signal: AbortSignal) => Promise<void>): Promise<{ lines: string[]; end: BuildLogEntry }> {
  const buildId = `p${randomBytes(4).toString('hex')}`;
  const job: BuildJobData = { buildId, app: 'pub', commit: fakeCommit, sourcePath: gitArchive(sources, buildId, { files: { 'a.txt': 'a' } }), env: {}, buildpacks: [] };
  const runner = new BuildRunner({ redis, keys, builders: new BuilderRegistry([standIn]), timeoutSeconds: 60, log, publish });
  await runner.run(job);
  const entries: BuildLogEntry[] = [];
  for await (const e of readBuildLog(redis, keys.buildLog(buildId), { idleTimeoutMs: 1000 })) entries.push(e);
  return { lines: entries.flatMap((e) => (e.type === 'line' ? [e.text] : [])), end: entries.at(-1)! };
}

test('the built image is pushed to the registry before the build succeeds', async () => {
  const pushed: string[] = [];
  const { lines, end } = await runWith(async (image) => void pushed.push(image));
  assert.deepEqual(pushed, ['paas/pub:b-1']);
  assert.ok(lines.some((l) => /Pushing the image to the registry/.test(l)), lines.join('\n'));
  assert.equal(end.type === 'end' && end.status, 'succeeded');
});

test('a push the registry refuses is shown, and the build still succeeds', async () => {
  const { lines, end } = await runWith(async () => {
    throw new Error('pushing paas/pub:b-1 to the registry 127.0.0.1:5056 failed: connection refused');
  });
  assert.ok(lines.some((l) => /The registry did not take the image \(pushing .* connection refused\): hosts get it from this builder instead/.test(l)), lines.join('\n'));
  assert.equal(end.type === 'end' && end.status, 'succeeded');
});
