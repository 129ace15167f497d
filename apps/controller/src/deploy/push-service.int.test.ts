import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { AppError, BuildLogWriter, buildEnvBox, buildQueueName, openBuildEnv, type BuildJobData } from '@paas/shared';
import { createApiHarness, type ApiHarness } from '../api/test-harness.js';
import { findAppByName, insertApp } from '../db/apps.js';
import { listBuilds } from '../db/builds.js';
import { listReleases } from '../db/releases.js';
import type { User } from '../db/users.js';
import { updateConfigVars } from '../db/config-vars.js';
import { testRedisUrl } from '@paas/test-kit';

/**
 * The controller's side of a push against real PostgreSQL, Redis and BullMQ; a stand-in builder
 * worker on the real queue plays the builder's part of the contract (log stream + end entry).
 */
describe('PushService', () => {
  let h: ApiHarness;
  let user: User;
  let worker: Worker<BuildJobData> | undefined;
  let workerConn: Redis;
  let release: () => void = () => {};

  before(async () => {
    h = await createApiHarness({ maxPushBytes: 64 * 1024 });
    user = (await h.user('pusher@example.com')).user;
    workerConn = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
  });
  after(async () => {
    await worker?.close();
    workerConn.disconnect();
    await h.close();
  });

  function startWorker(behaviour: (job: BuildJobData, out: BuildLogWriter) => Promise<void>): void {
    worker = new Worker<BuildJobData>(
      buildQueueName,
      async (job) => behaviour(job.data, new BuildLogWriter(workerConn, h.keys.buildLog(job.data.buildId))),
      { connection: workerConn, prefix: h.keys.bull },
    );
  }

  const sha = (n: number): string => String(n).padStart(40, 'a');
  const push = async (appName: string, commit: string, lines: string[], extra?: Buffer) => {
    const app = (await findAppByName(h.db.pool, appName))!;
    const pack = tar.pack();
    pack.entry({ name: 'index.js' }, 'console.log("hi")');
    if (extra) pack.entry({ name: 'big.bin' }, extra);
    pack.finalize();
    return h.pushService.push({ app, user, commit, source: Readable.from(pack), say: (l) => lines.push(l) });
  };

  test('without a builder the push is refused at once', async () => {
    await insertApp(h.db.pool, 'nobuilder', user.id);
    await assert.rejects(push('nobuilder', sha(1), []), (err: AppError) => err.code === 'unavailable');
    const app = (await findAppByName(h.db.pool, 'nobuilder'))!;
    assert.equal((await listBuilds(h.db.pool, app.id))[0]?.status, 'failed');
  });

  test('a successful build streams its output and becomes a running release', async () => {
    const secretValue = 'sk_live_0123456789abcdef';
    let jobInRedis = '';
    startWorker(async (job, out) => {
      // What Redis holds of the job: every field of BullMQ's job hash.
      jobInRedis = JSON.stringify(await workerConn.hgetall(`${h.keys.bull}:${buildQueueName}:${job.buildId}`));
      const env = openBuildEnv(buildEnvBox('x'.repeat(32)), job.sealedEnv ?? '');
      await out.line('-----> Node.js app detected');
      await new Promise<void>((r) => {
        release = r;
        setTimeout(r, 100);
      });
      await out.line(`       env GREETING=${env['GREETING'] ?? ''} ${env['STRIPE_KEY'] === secretValue}`);
      await out.succeeded({ image: `img/${job.app}:1`, processTypes: { web: 'npm start' }, buildpack: 'nodejs', imageSize: 1, buildImageSize: 2 });
    });
    const id = await insertApp(h.db.pool, 'pushed', user.id);
    await updateConfigVars(h.db.pool, h.access.cipher, id, { GREETING: 'hi', STRIPE_KEY: secretValue });
    const lines: string[] = [];
    const result = await push('pushed', sha(2), lines);
    assert.equal(result.version, 1);
    assert.deepEqual(lines.slice(0, 3), [
      `-----> Building pushed (${sha(2).slice(0, 7)}) on the paas builder`,
      '-----> Node.js app detected',
      '       env GREETING=hi true',
    ]);
    assert.ok(jobInRedis.includes('sealedEnv'), 'the job was read from Redis');
    assert.ok(!jobInRedis.includes(secretValue) && !jobInRedis.includes('STRIPE_KEY'), 'the build job in Redis holds no config var in plaintext');
    assert.ok(lines.includes('       Released v1'));
    const builds = await listBuilds(h.db.pool, id);
    assert.equal(builds[0]?.status, 'succeeded');
    assert.equal(builds[0]?.image, 'img/pushed:1');
    const releases = await listReleases(h.db.pool, h.access.cipher, id);
    assert.deepEqual(releases.map((r) => [r.version, r.description, r.status]), [[1, `Deploy ${sha(2).slice(0, 7)}`, 'succeeded']]);
    assert.deepEqual((await h.runtime.list({ app: 'pushed' })).map((p) => p.name), ['web.1']);
  });

  test('a second push while a build runs is refused, never raced', async () => {
    await insertApp(h.db.pool, 'racer', user.id);
    const first = push('racer', sha(3), []);
    await new Promise((r) => setTimeout(r, 50));
    await assert.rejects(push('racer', sha(4), []), (err: AppError) => err.code === 'build_in_progress');
    release();
    await first;
    const app = (await findAppByName(h.db.pool, 'racer'))!;
    assert.deepEqual((await listReleases(h.db.pool, h.access.cipher, app.id)).map((r) => r.version), [1]);
  });

  test('a failed build refuses the push and leaves the previous release serving', async () => {
    await worker?.close();
    startWorker(async (_job, out) => {
      await out.line('npm ERR! 404 no-such-package');
      await out.failed('build_failed', 'npm ci failed:\nnpm ERR! 404 no-such-package');
    });
    const lines: string[] = [];
    await assert.rejects(push('pushed', sha(5), lines), (err: AppError) => err.code === 'build_failed' && /npm ci failed/.test(err.message));
    assert.ok(lines.includes('npm ERR! 404 no-such-package'));
    const app = (await findAppByName(h.db.pool, 'pushed'))!;
    assert.equal(app.current_release, 1);
    assert.equal((await listBuilds(h.db.pool, app.id))[0]?.status, 'failed');
    assert.deepEqual((await h.runtime.list({ app: 'pushed' })).map((p) => [p.name, p.release]), [['web.1', 1]]);
  });

  test('a tree over PAAS_MAX_PUSH_MB is refused with the limit, before any build', async () => {
    const id = await insertApp(h.db.pool, 'hoarder', user.id);
    await assert.rejects(push('hoarder', sha(6), [], Buffer.alloc(200 * 1024)), (err: AppError) => {
      assert.equal(err.code, 'payload_too_large');
      assert.match(err.message, /^the pushed tree is larger than 65536 bytes \(PAAS_MAX_PUSH_MB\): remove large files/);
      return true;
    });
    const builds = await listBuilds(h.db.pool, id);
    assert.equal(builds[0]?.status, 'failed');
    assert.match(builds[0]?.error ?? '', /larger than 65536 bytes/);
  });
});
