/**
 * The ACL `npm run up` gives a Redis it starts itself (scripts/redis-acl.mjs), on a PRIVATE
 * redis-server of this test (its own port and directory; the shared Redis is never touched): the
 * default user is off, each component works with its own user (BullMQ's queue and worker as the
 * controller and builder, the route table, acknowledgements, access lines and the internal access
 * table as the router), and none reaches another's keys or the server's administration.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { Queue, Worker } from 'bullmq';
import { RedisInternalAccess, RedisKeys, RedisRouteStore } from '@paas/shared';
import { freePort } from '@paas/test-kit';
import { repoRoot } from '../helpers/platform.js';

const exec = promisify(execFile);
const prefix = 'paas';
const keys = new RedisKeys(prefix);
const passwords: Record<string, string> = Object.fromEntries(['paas-admin', 'controller', 'builder', 'router'].map((u) => [u, randomBytes(18).toString('hex')]));
let dir: string;
let port: number;
let server: ChildProcess;
const clients: Redis[] = [];

function as(user: string | undefined): Redis {
  const r = new Redis({ port, host: '127.0.0.1', ...(user ? { username: user, password: passwords[user] } : {}), maxRetriesPerRequest: 1, lazyConnect: true });
  r.on('error', () => {});
  clients.push(r);
  return r;
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'paas-redis-acl-'));
  const { aclFile } = (await import(join(repoRoot, 'scripts', 'redis-acl.mjs'))) as { aclFile: (p: string, pw: Record<string, string>) => string };
  await writeFile(join(dir, 'acl.conf'), aclFile(prefix, passwords));
  port = await freePort();
  server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--aclfile', join(dir, 'acl.conf')], { stdio: 'ignore' });
  for (let i = 0; ; i++) {
    const admin = new Redis({ port, host: '127.0.0.1', username: 'paas-admin', password: passwords['paas-admin'], lazyConnect: true, retryStrategy: () => null });
    admin.on('error', () => {});
    try {
      await admin.connect();
      assert.equal(await admin.ping(), 'PONG');
      admin.disconnect();
      break;
    } catch (err) {
      admin.disconnect();
      if (i > 50) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
});

after(async () => {
  for (const c of clients) c.disconnect();
  await new Promise((r) => setTimeout(r, 100));
  server?.kill('SIGTERM');
  await rm(dir, { recursive: true, force: true });
});

test('the default user is off: no command without a component user', async () => {
  // redis-cli, which sends no AUTH unless told: every command is refused; a wrong password too
  const cli = async (...args: string[]): Promise<string> => {
    const { stdout, stderr } = await exec('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args]).catch((e: { stdout?: string; stderr?: string }) => ({ stdout: e.stdout ?? '', stderr: e.stderr ?? '' }));
    return `${stdout}${stderr}`;
  };
  assert.match(await cli('get', `${prefix}:routes`), /NOAUTH/);
  assert.match(await cli('--user', 'router', '--pass', passwords['controller']!, '--no-auth-warning', 'get', `${prefix}:routes`), /WRONGPASS|NOAUTH|invalid/);
  assert.match(await cli('--user', 'default', '--pass', 'x', '--no-auth-warning', 'ping'), /WRONGPASS|NOAUTH|disabled|invalid/);
  assert.doesNotMatch(await cli('--user', 'router', '--pass', passwords['router']!, '--no-auth-warning', 'get', `${prefix}:routes`), /NOAUTH|NOPERM|WRONGPASS/);
});

test("the controller's and the builder's BullMQ queue and worker work under their users", async () => {
  const queue = new Queue('builds', { connection: as('controller'), prefix: keys.bull });
  const done = new Promise<unknown>((resolve, reject) => {
    const connection = new Redis({ port, host: '127.0.0.1', username: 'builder', password: passwords['builder'], maxRetriesPerRequest: null });
    connection.on('error', () => {});
    clients.push(connection);
    const worker = new Worker('builds', async (job) => ({ echoed: job.data }), { connection, prefix: keys.bull });
    worker.on('completed', (_job, result) => void worker.close().then(() => resolve(result)));
    worker.on('failed', (_job, err) => reject(err));
    worker.on('error', reject);
  });
  await queue.add('build', { app: 'x' });
  assert.deepEqual(await done, { echoed: { app: 'x' } });
  await queue.close();
});

test('the router reads routes and the internal access table, acknowledges and writes access lines, and nothing else', async () => {
  const controller = as('controller');
  await controller.connect();
  await new RedisRouteStore(controller, keys).set({ app: 'shop', domains: ['shop.localhost'], backends: [], release: 1, version: 1 });
  await new RedisInternalAccess(controller, keys).setAllowed('shop', ['web']);
  await controller.set(`${prefix}:build:b1:log`, 'secret build output');

  const router = as('router');
  await router.connect();
  const store = new RedisRouteStore(router, keys);
  assert.deepEqual((await store.list()).map((r) => r.app), ['shop']);
  await store.ack('shop', 1);
  const stop = await store.watch(() => undefined);
  await stop();
  assert.deepEqual((await new RedisInternalAccess(router, keys).read()).allowed, { shop: ['web'] });
  await router.xadd(keys.appLogs('shop'), '*', 'line', 'GET /');

  await assert.rejects(router.get(`${prefix}:build:b1:log`), /NOPERM/, "a build's output");
  await assert.rejects(router.hgetall(`${prefix}:bull:builds:1`), /NOPERM/, 'the build queue');
  await assert.rejects(router.get('other-platform:routes'), /NOPERM/);
  for (const r of [router, controller]) {
    await assert.rejects(r.flushall(), /NOPERM/);
    await assert.rejects(r.config('GET', 'requirepass'), /NOPERM/);
    await assert.rejects(r.keys('*'), /NOPERM/);
    await assert.rejects(r.call('ACL', 'LIST'), /NOPERM/);
  }
  await assert.rejects(controller.get('other-platform:x'), /NOPERM/, "another prefix's keys");
});
