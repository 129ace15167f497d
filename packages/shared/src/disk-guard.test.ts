import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppError } from './errors.js';
import { DiskGuard, statfsFreeSpace } from './disk-guard.js';

const MB = 1024 * 1024;

test('work is refused with insufficient_storage while a disk it writes to is nearly full', async () => {
  const free = new Map([
    ['/data/builds', 900 * MB],
    ['/data/repos', 10 * MB],
  ]);
  const guard = new DiskGuard({ paths: ['/data/builds', '/data/repos'], minFreeBytes: 100 * MB, probe: async (p) => free.get(p)! });
  await assert.rejects(guard.assertRoom(), (err: AppError) => {
    assert.equal(err.code, 'insufficient_storage');
    assert.equal(err.status, 507);
    assert.equal(err.retryable, true);
    assert.match(err.message, /\/data\/repos is nearly full \(10 MB free, builds need 100 MB\).*running apps are not affected/);
    return true;
  });
  free.set('/data/repos', 200 * MB);
  await guard.assertRoom();
});

test('a directory not made yet is probed at its nearest existing parent; the real probe reads statfs', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'paas-disk-'));
  try {
    assert.ok((await statfsFreeSpace(dir)) > 0);
    await new DiskGuard({ paths: [join(dir, 'not', 'yet')], minFreeBytes: 1 }).assertRoom();
    await assert.rejects(new DiskGuard({ paths: [join(dir, 'not', 'yet')], minFreeBytes: Number.MAX_SAFE_INTEGER }).assertRoom(), /nearly full/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
