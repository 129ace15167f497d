/*
 * The builder end to end, against the real Redis and Docker: jobs go through BullMQ as the controller
 * sends them, output is read back with readBuildLog, images are run.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Queue, type Worker } from 'bullmq';
import { Redis } from 'ioredis';
import Docker from 'dockerode';
import type { BuildJobData, BuildLogEntry, BuildResult } from '@paas/shared';
import { DiskGuard, RedisKeys, buildQueueName, createLogger, readBuildLog } from '@paas/shared';
import { loadConfig, type BuilderConfig } from './config.js';
import type { BuilderRegistry } from './builder.js';
import { createBuilderRegistry } from './builder-wiring.js';
import { BuildRunner } from './build-runner.js';
import { startBuildWorker } from './build-worker.js';
import { fakeCommit, fetchFromImage, fixturesDir, gitArchive, removeCluster, removeKeys } from './test-support.js';
import { testRedisUrl } from '@paas/test-kit';

const id = randomBytes(4).toString('hex');
const prefix = `paas-test-${id}`;
const cluster = `paas-test-${id}`;
const keys = new RedisKeys(prefix);
const log = createLogger('builder-test', 'silent');
const docker = new Docker();
let config: BuilderConfig;
let redis: Redis;
let reader: Redis;
let queue: Queue<BuildJobData>;
let worker: Worker<BuildJobData, BuildResult>;
let sources: string;
/** What the worker's disk guard reads as free on the disks builds write (the 'disk full' test lowers it). */
let freeBytes = Number.MAX_SAFE_INTEGER;

function builders(): BuilderRegistry {
  return createBuilderRegistry(config, { docker, redis, keys, log });
}

before(async () => {
  // the test harness's environment (REDIS_URL, NODE_EXTRA_CA_CERTS) plus this run's own names
  config = loadConfig({ ...process.env, REDIS_URL: testRedisUrl(), PAAS_REDIS_PREFIX: prefix, PAAS_CLUSTER: cluster });
  redis = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
  reader = new Redis(config.redisUrl);
  queue = new Queue<BuildJobData>(buildQueueName, { connection: redis, prefix: keys.bull });
  const runner = new BuildRunner({ redis, keys, builders: builders(), timeoutSeconds: config.timeoutSeconds, log });
  sources = mkdtempSync(join(tmpdir(), 'paas-builds-'));
  const disk = new DiskGuard({ paths: [sources], minFreeBytes: 64 * 1024 * 1024, probe: async () => freeBytes });
  worker = startBuildWorker({ connection: redis, keys, runner, concurrency: 2, log, sourcesDir: sources, disk });
});

after(async () => {
  await worker?.close();
  await queue?.close();
  await removeCluster(docker, cluster);
  await removeKeys(redis, prefix);
  redis?.disconnect();
  reader?.disconnect();
  rmSync(sources, { recursive: true, force: true });
});

interface Finished {
  lines: string[];
  end: Extract<BuildLogEntry, { type: 'end' }>;
  /** Milliseconds from the first output line to the end entry (Redis stream ids are timestamps). */
  ms: number;
  /** When each line was written, in ms from the first one (first occurrence). */
  at: Map<string, number>;
}

/** Enqueues a build as the controller does and reads its output to the end. */
async function build(app: string, buildId: string, sourcePath: string, env: Record<string, string> = {}): Promise<Finished> {
  const job: BuildJobData = { buildId, app, commit: fakeCommit, sourcePath, env, buildpacks: [] };
  await queue.add('build', job, { jobId: buildId, attempts: 1 });
  const lines: string[] = [];
  let end: Finished['end'] | undefined;
  for await (const entry of readBuildLog(reader, keys.buildLog(buildId), { idleTimeoutMs: 300_000 })) {
    if (entry.type === 'line') lines.push(entry.text);
    else end = entry;
  }
  assert.ok(end, 'the stream has an end entry');
  const ids = (await redis.xrange(keys.buildLog(buildId), '-', '+')) as [string, string[]][];
  const t0 = Number(ids[0]?.[0].split('-')[0]);
  const ms = Number(ids.at(-1)?.[0].split('-')[0]) - t0;
  const at = new Map<string, number>();
  for (const [eid, f] of ids) if (f[1] === 'line' && !at.has(f[3] ?? '')) at.set(f[3] ?? '', Number(eid.split('-')[0]) - t0);
  if (process.env['PAAS_TEST_TIMELINE']) {
    for (const [eid, f] of ids) console.log(`${((Number(eid.split('-')[0]) - t0) / 1000).toFixed(2).padStart(6)}s ${f[3] ?? f.slice(2).join(' ')}`);
  }
  return { lines, end, ms, at };
}

function succeeded(f: Finished): BuildResult {
  assert.equal(f.end.status, 'succeeded', f.end.status === 'failed' ? `${f.end.code}: ${f.end.error}\n${f.lines.join('\n')}` : '');
  return (f.end as Extract<BuildLogEntry, { status: 'succeeded' }>).result;
}

function failed(f: Finished): { code: string; error: string } {
  assert.equal(f.end.status, 'failed', f.lines.join('\n'));
  return f.end as Extract<BuildLogEntry, { status: 'failed' }>;
}

/** The BullMQ job's final state, once it has one. */
async function jobOutcome(jobId: string): Promise<{ state: string; attemptsMade: number }> {
  for (let i = 0; i < 300; i++) {
    const state = await queue.getJobState(jobId);
    if (state === 'completed' || state === 'failed') return { state, attemptsMade: (await queue.getJob(jobId))?.attemptsMade ?? -1 };
    await new Promise((r) => setTimeout(r, 100));
  }
  return { state: await queue.getJobState(jobId), attemptsMade: -1 };
}

async function buildContainersLeft(): Promise<number> {
  const filters = JSON.stringify({ label: [`paas.cluster=${cluster}`, 'paas.role=build'] });
  return (await docker.listContainers({ all: true, filters })).length;
}

const app = `node-${id}`;

test('a Node.js app builds into a slim image that serves HTTP', async () => {
  const source = gitArchive(sources, 'b1', { fixture: 'node-express' });
  const f = await build(app, `b1${id}`, source, { GREETING: 'hi' });
  const result = succeeded(f);
  console.log(`cold build of node-express: ${(f.ms / 1000).toFixed(1)}s`);

  for (const line of [
    '-----> Node.js app detected',
    '-----> Installing binaries',
    '       engines.node (package.json):   22.x',
    '-----> Installing dependencies',
    '-----> Discovering process types',
    '       Procfile declares types -> web',
    '-----> Compressing...',
    '-----> Build succeeded',
  ]) {
    assert.ok(f.lines.includes(line), `output has "${line}":\n${f.lines.join('\n')}`);
  }
  assert.ok(f.lines.some((l) => /^ {7}Downloading and installing node 22\.\d+\.\d+\.\.\.$/.test(l)));
  assert.ok(f.lines.some((l) => /^ {7}added \d+ packages/.test(l)), 'npm output streams indented');
  assert.ok(f.lines.indexOf('-----> Node.js app detected') < f.lines.indexOf('-----> Discovering process types'));
  // streamed as it happened, not written at the end: the install's lines come seconds apart
  assert.ok(f.at.get('-----> Discovering process types')! - f.at.get('-----> Installing binaries')! > 1000, 'output is streamed live');

  assert.deepEqual(result.processTypes, { web: 'node index.js' });
  assert.equal(result.buildpack, 'nodejs');
  assert.equal(result.image, `paas/${app}:b-b1${id}`);
  // the run image holds the runtime and the app, not the compilers: ≤ 150 MB and ≤ a third of the build image
  assert.ok(result.imageSize > 0 && result.imageSize <= 150e6, `run image ${result.imageSize} ≤ 150 MB`);
  assert.ok(result.imageSize * 3 <= result.buildImageSize, `run image ${result.imageSize} ≤ build image ${result.buildImageSize} / 3`);
  assert.ok(f.lines.some((l) => /^ {7}Layer \/app\/\.heroku\/node: \d+M \(new\)$/.test(l)), 'the node runtime is a layer of its own');
  const image = await docker.getImage(result.image).inspect();
  assert.deepEqual(
    { cluster: image.Config.Labels['paas.cluster'], app: image.Config.Labels['paas.app'], build: image.Config.Labels['paas.build'] },
    { cluster, app, build: `b1${id}` },
  );
  assert.deepEqual(image.Config.Entrypoint, ['/usr/local/bin/paas-exec']);
  assert.deepEqual(image.Config.Cmd, ['node index.js']);
  assert.equal(image.Config.User, 'paas');
  assert.equal(image.Config.WorkingDir, '/app');
  assert.ok(image.Config.Env.some((e) => e.startsWith('PATH=') && e.includes(':/app/.heroku/node/bin:/app/node_modules/.bin:')));

  assert.match(await fetchFromImage(docker, result.image, cluster), /^hello from node v22\.\d+\.\d+ \(production\)/);
  assert.equal(existsSync(source), false, 'the source tar is deleted');
  // the job ends once its build container is gone (the result is sent before that)
  assert.deepEqual(await jobOutcome(`b1${id}`), { state: 'completed', attemptsMade: 1 });
  assert.equal(await buildContainersLeft(), 0, 'the build container is removed');
});

test('a code-only change installs again from the cache (install scripts always run) and reuses every layer but the app', async () => {
  const index = readFileSync(join(fixturesDir, 'node-express', 'index.js'), 'utf8').replace('hello from', 'hello again from');
  const source = gitArchive(sources, 'b2', { fixture: 'node-express', files: { 'index.js': index } });
  const f = await build(app, `b2${id}`, source);
  const result = succeeded(f);
  console.log(`warm build of node-express: ${(f.ms / 1000).toFixed(1)}s`);
  assert.ok(f.lines.includes('-----> Restoring cache'), f.lines.join('\n'));
  assert.ok(f.lines.includes('-----> Installing dependencies'), 'the install runs on every build: the cache only speeds it up');
  assert.ok(f.lines.includes('       Installing node modules'), f.lines.join('\n'));
  assert.ok(f.lines.some((l) => /^ {7}Layer \/app\/\.heroku\/node: \d+M \(unchanged, reused\)$/.test(l)), f.lines.join('\n'));
  // only the app's own files are new: the runtime and node_modules layers are the first build's
  const layersOf = async (ref: string): Promise<string[]> => (await docker.getImage(ref).inspect()).RootFS.Layers ?? [];
  const [first, second] = [await layersOf(`paas/${app}:b-b1${id}`), await layersOf(result.image)];
  assert.equal(first.length, second.length);
  assert.deepEqual(second.slice(0, -1), first.slice(0, -1), 'every layer but the app layer is shared');
  assert.match(await fetchFromImage(docker, result.image, cluster), /^hello again from node v22/);
  // the next test counts build containers: this build's is gone once its job has ended
  assert.deepEqual(await jobOutcome(`b2${id}`), { state: 'completed', attemptsMade: 1 });
  assert.equal(await buildContainersLeft(), 0, 'the build container is removed');
});

test('a build is refused while a disk it writes is nearly full, saying so; its source is removed', async () => {
  const source = gitArchive(sources, 'full', { files: { 'index.html': '<p>hi</p>\n' } });
  freeBytes = 10 * 1024 * 1024;
  try {
    const end = failed(await build(`full-${id}`, `full${id}`, source));
    assert.equal(end.code, 'insufficient_storage');
    assert.match(end.error, /^the disk holding .* is nearly full \(10 MB free, builds need 64 MB\): builds are refused until space is freed; running apps are not affected$/);
    assert.equal(existsSync(source), false);
    assert.equal(await buildContainersLeft(), 0);
  } finally {
    freeBytes = Number.MAX_SAFE_INTEGER;
  }
});

test('a source without package.json fails with no_buildpack, saying what was looked for', async () => {
  const source = gitArchive(sources, 'b3', { files: { 'README.md': '# not an app\n', 'main.go': 'package main\n' } });
  const f = await build(`none-${id}`, `b3${id}`, source);
  const end = failed(f);
  assert.equal(end.code, 'no_buildpack');
  assert.match(end.error, /^No buildpack detected: looked for nodejs \(package\.json\), python \(.*\), go \(go\.mod\), static \(index\.html or static\.json\)$/);
  assert.equal(existsSync(source), false);
  assert.deepEqual(await jobOutcome(`b3${id}`), { state: 'failed', attemptsMade: 1 }, 'failed once, never retried');
  assert.equal(await buildContainersLeft(), 0);
});

test('a dependency that does not exist fails with build_failed and npm’s error lines', async () => {
  const pkg = { name: 'broken', version: '1.0.0', dependencies: { [`paas-no-such-package-${id}`]: '^1.0.0' } };
  const source = gitArchive(sources, 'b4', { files: { 'package.json': JSON.stringify(pkg, null, 2), 'index.js': '' } });
  const f = await build(`broken-${id}`, `b4${id}`, source);
  const end = failed(f);
  assert.equal(end.code, 'build_failed');
  assert.match(end.error, /^nodejs bin\/compile failed \(exit code 1\)/);
  assert.match(end.error, /npm error.*404/i);
  assert.match(end.error, /Installing dependencies with npm failed/);
  assert.ok(f.lines.some((l) => /^ {7}npm error/.test(l)), 'npm errors were streamed to the user');
  await jobOutcome(`b4${id}`);
  assert.equal(await buildContainersLeft(), 0);
});

test('a build past its time limit is stopped and fails', async () => {
  const runner = new BuildRunner({ redis, keys, builders: builders(), timeoutSeconds: 8, log, stopGraceMs: 5000 });
  const pkg = { name: 'slow', version: '1.0.0', scripts: { build: 'sleep 600', start: 'node index.js' } };
  const source = gitArchive(sources, 'b5', { files: { 'package.json': JSON.stringify(pkg), 'index.js': '' } });
  const started = Date.now();
  const job: BuildJobData = { buildId: `b5${id}`, app: `slow-${id}`, commit: fakeCommit, sourcePath: source, env: {}, buildpacks: [] };
  await assert.rejects(runner.run(job), /timed out/);
  assert.ok(Date.now() - started < 30_000, 'the build stops soon after its limit');
  const entries: BuildLogEntry[] = [];
  for await (const e of readBuildLog(reader, keys.buildLog(job.buildId), { idleTimeoutMs: 1000 })) entries.push(e);
  const end = entries.at(-1);
  assert.ok(end?.type === 'end' && end.status === 'failed' && end.code === 'build_failed' && /timed out after 8s/.test(end.error));
  assert.equal(entries.filter((e) => e.type === 'end').length, 1);
  assert.equal(await buildContainersLeft(), 0, 'the build container is killed');
});

test('a build whose cancel key is set stops at once and fails, cancelled', async () => {
  const pkg = { name: 'slow', version: '1.0.0', scripts: { build: 'echo slow step && sleep 600', start: 'node index.js' } };
  const source = gitArchive(sources, 'b6', { files: { 'package.json': JSON.stringify(pkg), 'index.js': '' } });
  const buildId = `b6${id}`;
  const job: BuildJobData = { buildId, app: `cancel-${id}`, commit: fakeCommit, sourcePath: source, env: {}, buildpacks: [] };
  const runner = new BuildRunner({ redis, keys, builders: builders(), timeoutSeconds: 300, log, stopGraceMs: 5000 });
  const running = runner.run(job);
  // cancel once the slow step runs, as the controller does when the git client disconnects
  for (let i = 0; i < 600; i++) {
    const lines = (await redis.xrange(keys.buildLog(buildId), '-', '+')) as [string, string[]][];
    if (lines.some(([, f]) => f[3]?.includes('slow step'))) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const cancelledAt = Date.now();
  await redis.set(keys.buildCancel(buildId), 'test', 'EX', 60);
  await assert.rejects(running, /Build cancelled/);
  assert.ok(Date.now() - cancelledAt < 15_000, 'the build stops soon after the cancel');
  const entries: BuildLogEntry[] = [];
  for await (const e of readBuildLog(reader, keys.buildLog(buildId), { idleTimeoutMs: 1000 })) entries.push(e);
  const end = entries.at(-1);
  assert.ok(end?.type === 'end' && end.status === 'failed' && /^Build cancelled: the git client disconnected$/.test(end.error), JSON.stringify(end));
  assert.equal(await buildContainersLeft(), 0, 'the build container is killed');
});

test('a build that runs out of memory fails saying so', async () => {
  const small = createBuilderRegistry({ ...config, memoryMb: 256 }, { docker, redis, keys, log });
  const runner = new BuildRunner({ redis, keys, builders: small, timeoutSeconds: 300, log });
  const hog = 'node -e "const a = []; for (;;) a.push(Buffer.alloc(20e6).fill(1))"';
  const pkg = { name: 'hog', version: '1.0.0', scripts: { build: hog, start: 'node index.js' } };
  const source = gitArchive(sources, 'b7', { files: { 'package.json': JSON.stringify(pkg), 'index.js': '' } });
  const job: BuildJobData = { buildId: `b7${id}`, app: `hog-${id}`, commit: fakeCommit, sourcePath: source, env: {}, buildpacks: [] };
  await assert.rejects(runner.run(job), /^BuildFailedError: build_failed: nodejs bin\/compile failed \(exit code 1\): the build ran out of memory \(its limit is 256 MB/);
  assert.equal(await buildContainersLeft(), 0);
});
