import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { AppError } from '@paas/shared';
import { parseChecksum, writeSourceTree } from './source-blob.js';
import { makeTarball, tarEntries, type TarEntry } from './test-tarballs.js';

const limits = { bytes: 64 * 1024, entries: 100 };

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'paas-source-blob-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('checksums are SHA256:<hex> as Heroku writes them', () => {
  assert.equal(parseChecksum(`SHA256:${'AB'.repeat(32)}`), 'ab'.repeat(32));
  for (const bad of ['sha1:abc', `SHA256:${'a'.repeat(63)}`, 'a'.repeat(64), `MD5:${'a'.repeat(64)}`]) {
    assert.throws(() => parseChecksum(bad), (err: unknown) => err instanceof AppError && err.code === 'invalid_params', bad);
  }
});

test('a single top directory is stripped; files, directories and links inside are kept; other kinds are dropped', async () => {
  await withDir(async (dir) => {
    await writeFile(join(dir, 'in.tgz'), (await makeTarball([
      { name: 'repo-abc123/', type: 'directory' },
      { name: 'repo-abc123/Procfile', body: 'web: node index.js' },
      { name: 'repo-abc123/src/a.js', body: 'x' },
      { name: 'repo-abc123/src/b.js', type: 'symlink', linkname: 'a.js' },
      { name: 'repo-abc123/pipe', type: 'fifo' },
    ])));
    await writeSourceTree(join(dir, 'in.tgz'), join(dir, 'out.tar'), limits);
    assert.deepEqual(await tarEntries(join(dir, 'out.tar')), ['Procfile', 'src/a.js', 'src/b.js->a.js']);
    // Two top entries (or a file at the top): nothing stripped; a plain (not gzipped) tar is read too.
    await writeFile(join(dir, 'in.tar'), await makeTarball([{ name: 'index.js', body: 'x' }, { name: 'lib/x.js', body: 'y' }], false));
    await writeSourceTree(join(dir, 'in.tar'), join(dir, 'out2.tar'), limits);
    assert.deepEqual(await tarEntries(join(dir, 'out2.tar')), ['index.js', 'lib/x.js']);
  });
});

test('hostile archives are refused whole with the reason, and leave no output behind', async () => {
  await withDir(async (dir) => {
    for (const [entries, reason] of [
      [[{ name: '../evil.sh', body: 'x' }], /a path outside the archive \(\.\.\/evil\.sh\)/],
      [[{ name: 'a/../../evil.sh', body: 'x' }], /a path outside the archive/],
      [[{ name: '/etc/cron.d/x', body: 'x' }], /an absolute path/],
      [[{ name: 'link', type: 'symlink', linkname: '/etc/shadow' }], /a symbolic link to an absolute path/],
      [[{ name: 'd/link', type: 'symlink', linkname: '../../up' }], /a symbolic link out of the archive/],
      [[{ name: 'hard', type: 'link', linkname: '../x' }], /a hard link out of the archive/],
      [[{ name: 'big.bin', body: Buffer.alloc(128 * 1024) }], /larger than .* once unpacked/],
      [Array.from({ length: 101 }, (_, i) => ({ name: `f${i}` })), /more than 100 files/],
      [[], /empty/],
    ] as [TarEntry[], RegExp][]) {
      await writeFile(join(dir, 'in.tgz'), (await makeTarball(entries)));
      await assert.rejects(writeSourceTree(join(dir, 'in.tgz'), join(dir, 'out.tar'), limits), (err: unknown) => err instanceof AppError && reason.test(err.message), String(reason));
    }
    await writeFile(join(dir, 'junk'), gzipSync(Buffer.from('<html>no tar here</html>'.repeat(40))));
    await assert.rejects(writeSourceTree(join(dir, 'junk'), join(dir, 'out.tar'), limits), /not a gzipped tar archive/);
    await writeFile(join(dir, 'cut.tgz'), (await makeTarball([{ name: 'a', body: 'x'.repeat(5000) }])).subarray(0, 100));
    await assert.rejects(writeSourceTree(join(dir, 'cut.tgz'), join(dir, 'out.tar'), limits), /not a gzipped tar archive/);
  });
});
