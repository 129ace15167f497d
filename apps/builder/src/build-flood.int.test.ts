/*
 * A build that floods its output (1 GiB without a newline, from a fixture buildpack inside the build
 * container) against the real Redis and Docker: the builder's memory stays flat, the user sees one
 * cut line and the notice, and the build goes on to succeed.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import Docker from 'dockerode';
import type { BuildJobData } from '@paas/shared';
import { RedisKeys, createLogger } from '@paas/shared';
import { loadConfig } from './config.js';
import { createBuilderRegistry } from './builder-wiring.js';
import { BuildRunner } from './build-runner.js';
import { fakeCommit, fixturesDir, gitArchive, removeCluster, removeKeys } from './test-support.js';
import { testRedisUrl } from '@paas/test-kit';

const id = randomBytes(4).toString('hex');
const prefix = `paas-test-${id}`;
const cluster = `paas-test-${id}`;
const keys = new RedisKeys(prefix);
const docker = new Docker();
let redis: Redis;
let work: string;
let bpRepo: string;

before(() => {
  redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
  work = mkdtempSync(join(tmpdir(), 'paas-flood-'));
  bpRepo = join(work, 'flood-bp');
  cpSync(join(fixturesDir, 'buildpacks', 'flood-bp'), bpRepo, { recursive: true });
  const git = (...args: string[]): void => void execFileSync('git', ['-c', 'user.name=paas test', '-c', 'user.email=test@paas.invalid', ...args], { cwd: bpRepo, stdio: 'pipe' });
  git('init', '--quiet');
  git('add', '--all');
  git('commit', '--quiet', '-m', 'flood buildpack');
});

after(async () => {
  await removeCluster(docker, cluster);
  await removeKeys(redis, prefix);
  redis.disconnect();
  rmSync(work, { recursive: true, force: true });
});

test('1 GiB of output without a newline: builder memory flat, one cut line, the notice, the build succeeds', { timeout: 600_000 }, async () => {
  const config = loadConfig({
    ...process.env,
    REDIS_URL: testRedisUrl(),
    PAAS_REDIS_PREFIX: prefix,
    PAAS_CLUSTER: cluster,
    PAAS_BUILDPACK_ALLOW_FILE_URLS: '1',
    PAAS_BUILDPACK_CACHE: join(work, 'bp-cache'),
  });
  const log = createLogger('builder-test', 'silent');
  const builders = createBuilderRegistry(config, { docker, redis, keys, log });
  const runner = new BuildRunner({ redis, keys, builders, timeoutSeconds: 540, log });
  const source = gitArchive(work, 'src', { files: { 'README.md': 'floods\n' } });
  const job: BuildJobData = { buildId: `f1${id}`, app: `flood-${id}`, commit: fakeCommit, sourcePath: source, env: { FLOOD_MB: '1024' }, buildpacks: [`file://${bpRepo}`] };

  global.gc?.();
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  try {
    await runner.run(job);
  } finally {
    clearInterval(sampler);
  }
  const entries = (await redis.xrange(keys.buildLog(job.buildId), '-', '+')) as [string, string[]][];
  const lines = entries.filter(([, f]) => f[1] === 'line').map(([, f]) => f[3] ?? '');
  const flood = lines.indexOf('-----> Flooding 1024 MiB without a newline');
  assert.ok(flood >= 0, lines.join('\n').slice(0, 2000));
  assert.equal(lines[flood + 1], `${'z'.repeat(8192)} [line cut at 8 KiB]`);
  assert.equal(lines[flood + 2], " !     The build's output passed 50 MB: the rest of it is not shown (the build goes on).");
  assert.ok(!lines.includes('       after the flood'), 'nothing of the processes is streamed past the cap');
  assert.ok(lines.includes('-----> Build succeeded'), lines.slice(flood).join('\n'));
  assert.ok(lines.every((l) => Buffer.byteLength(l) <= 8192 + 32), 'no line over 8 KiB');
  const grew = (peak - before) / 1048576;
  console.log(`builder RSS grew by ${grew.toFixed(1)} MB while the build wrote 1 GiB of output`);
  // Generous: before the limits, 200 MiB of such output took the builder to 1.5 GB.
  assert.ok(grew < 200, `RSS grew by ${grew.toFixed(1)} MB`);
});
