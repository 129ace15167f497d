// dev helper: node --conditions=development --import tsx apps/builder/tmp-prof/try.mts <fixture> [app] [K=V...]
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import Docker from 'dockerode';
import { RedisKeys, createLogger, readBuildLog, testRedisUrl } from '@paas/shared';
import { loadConfig } from '../src/config.js';
import { createBuilderRegistry } from '../src/builder-wiring.js';
import { BuildRunner } from '../src/build-runner.js';
import { fakeCommit, gitArchive, fetchFromImage } from '../src/test-support.js';
const [fixture, app = `try-${fixture}`, ...kv] = process.argv.slice(2);
const env = Object.fromEntries(kv.map((x) => [x.split('=')[0]!, x.split('=').slice(1).join('=')]));
const config = loadConfig({ ...process.env, REDIS_URL: testRedisUrl(), PAAS_REDIS_PREFIX: 'paas-try', PAAS_CLUSTER: 'try', PAAS_BUILDPACK_ALLOW_FILE_URLS: '1', PAAS_HOME: '/tmp/paas-try-home' });
const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
const reader = new Redis(config.redisUrl);
const keys = new RedisKeys('paas-try');
const docker = new Docker();
const log = createLogger('try', 'warn');
const runner = new BuildRunner({ redis, keys, builders: createBuilderRegistry(config, { docker, redis, keys, log }), timeoutSeconds: 600, log });
const buildId = `t${Date.now()}`;
const source = gitArchive(mkdtempSync(join(tmpdir(), 'try-')), 'src', { fixture });
const t0 = Date.now();
const reading = (async () => { for await (const e of readBuildLog(reader, keys.buildLog(buildId), { idleTimeoutMs: 600000 })) { if (e.type === 'line') console.log(`${((Date.now() - t0) / 1000).toFixed(2).padStart(6)} ${e.text}`); else console.log(JSON.stringify(e)); } })();
const buildpacks = env['BUILDPACKS'] ? env['BUILDPACKS'].split(',') : [];
delete env['BUILDPACKS'];
try {
  const r = await runner.run({ buildId, app, commit: fakeCommit, sourcePath: source, env, buildpacks });
  await reading;
  console.log(JSON.stringify(r));
  if (!process.env['NOFETCH']) console.log('GET / ->', await fetchFromImage(docker, r.image, 'try'));
} catch (e) { await reading; console.log('FAILED', (e as Error).message); }
redis.disconnect(); reader.disconnect();
