import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { createHash, randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisKeys, RedisRouteStore } from '@paas/shared';
import { appRoute, backend } from './test-support.js';
import { startBackend } from './test-http.js';
import { startChildRouter } from './test-child-router.js';
import { testRedisUrl } from '@paas/test-kit';

const size = 100 * 1024 * 1024;
const warm = 16 * 1024 * 1024;
const chunk = Buffer.alloc(256 * 1024);
for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 7) % 251;

/** Streams `size` bytes into a writable, with backpressure; resolves with their hash. */
function pump(out: NodeJS.WritableStream & { end(): void }, size = 100 * 1024 * 1024): Promise<string> {
  const hash = createHash('sha256');
  let sent = 0;
  return new Promise((resolve) => {
    const more = (): void => {
      while (sent < size) {
        sent += chunk.length;
        hash.update(chunk);
        if (!out.write(chunk)) return void out.once('drain', more);
      }
      out.end();
      resolve(hash.digest('hex'));
    };
    more();
  });
}

test('a 100 MB upload and a 100 MB download stream through the router with flat memory', { timeout: 180_000 }, async () => {
  const prefix = `paas-test-${randomBytes(4).toString('hex')}`;
  const redis = new Redis(testRedisUrl());
  const store = new RedisRouteStore(redis, new RedisKeys(prefix));
  let uploaded = { bytes: 0, hash: '' };
  const app = await startBackend('files', (req, res) => {
    if (req.method === 'POST') {
      const hash = createHash('sha256');
      let bytes = 0;
      req.on('data', (c: Buffer) => {
        bytes += c.length;
        hash.update(c);
      });
      req.on('end', () => {
        uploaded = { bytes, hash: hash.digest('hex') };
        res.end('stored');
      });
      return;
    }
    const length = req.url === '/warm' ? warm : size;
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': length });
    void pump(res, length);
  });
  await store.set(appRoute('files', ['files.paas.test'], [backend(app.port)]));
  const router = await startChildRouter(prefix, { PAAS_ROUTER_WORKERS: '1', PAAS_ROUTER_MAX_BODY_MB: '200' });
  let peakKb = 0;
  const sampler = setInterval(() => (peakKb = Math.max(peakKb, router.rssKb())), 50);
  try {
    // Warm up with 16 MB each way (JIT, pools, the allocator's arenas, the first GCs), then measure
    // from there: what matters is that memory does not grow with the payload.
    const coldKb = router.rssKb();
    await new Promise<void>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: router.port, method: 'POST', path: '/warm', headers: { host: 'files.paas.test' }, agent: false }, (res) => res.resume().on('end', resolve));
      req.on('error', reject);
      void pump(req, warm);
    });
    await new Promise<void>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port: router.port, path: '/warm', headers: { host: 'files.paas.test' }, agent: false }, (res) => res.resume().on('end', resolve)).on('error', reject);
    });
    const baseKb = router.rssKb();
    peakKb = baseKb;

    const sentHash = await new Promise<string>((resolve, reject) => {
      let hash = '';
      const req = http.request({ host: '127.0.0.1', port: router.port, method: 'POST', path: '/upload', headers: { host: 'files.paas.test', 'content-type': 'application/octet-stream' }, agent: false }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve(hash) : reject(new Error(`upload answered ${res.statusCode}`))));
      });
      req.on('error', reject);
      void pump(req).then((h) => (hash = h));
    });
    assert.equal(uploaded.bytes, size);
    assert.equal(uploaded.hash, sentHash);

    const downloaded = await new Promise<{ bytes: number; hash: string }>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port: router.port, path: '/download', headers: { host: 'files.paas.test' }, agent: false }, (res) => {
        const hash = createHash('sha256');
        let bytes = 0;
        res.on('data', (c: Buffer) => {
          bytes += c.length;
          hash.update(c);
        });
        res.on('end', () => resolve({ bytes, hash: hash.digest('hex') }));
        res.on('error', reject);
      }).on('error', reject);
    });
    assert.equal(downloaded.bytes, size);
    assert.equal(downloaded.hash, sentHash, 'the same bytes came back down');

    const growthMb = (peakKb - baseKb) / 1024;
    assert.ok(growthMb < 50, `the router's memory grew by ${growthMb.toFixed(1)} MB while 2 × 100 MB went through`);
    console.log(`# router RSS: ${(coldKb / 1024).toFixed(0)} MB cold, ${(baseKb / 1024).toFixed(0)} MB after the warm-up, peak growth ${growthMb.toFixed(1)} MB during 2 × 100 MB`);
  } finally {
    clearInterval(sampler);
    await router.stop();
    await app.close();
    const left = await redis.keys(`${prefix}:*`);
    if (left.length) await redis.del(...left);
    redis.disconnect();
  }
});
