import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { AppError } from '@paas/shared';
import { writePushedTree } from './pushed-tree.js';

describe('writePushedTree', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'paas-pushed-tree-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('a tree within the limit is written whole', async () => {
    const path = join(dir, 'small.tar');
    await writePushedTree(Readable.from([Buffer.alloc(1000, 1), Buffer.alloc(24, 2)]), path, 1024);
    assert.equal((await readFile(path)).length, 1024);
  });

  test('a larger tree is refused with a 413 naming the limit, and no file is left', async () => {
    const path = join(dir, 'large.tar');
    await assert.rejects(writePushedTree(Readable.from([Buffer.alloc(1000), Buffer.alloc(1000)]), path, 1536), (err: AppError) => {
      assert.equal(err.code, 'payload_too_large');
      assert.equal(err.status, 413);
      assert.match(err.message, /^the pushed tree is larger than 1536 bytes \(PAAS_MAX_PUSH_MB\)/);
      return true;
    });
    await assert.rejects(stat(path), { code: 'ENOENT' });
  });

  test('over HTTP (as from the git hook): the sender, still sending, gets the refusal; the disk holds at most the limit', async () => {
    const path = join(dir, 'endless.tar');
    const limit = 4 * 1024 * 1024;
    let largest = 0;
    const server = http.createServer((req, res) => {
      const watch = setInterval(() => void stat(path).then((s) => (largest = Math.max(largest, s.size)), () => undefined), 5);
      writePushedTree(req, path, limit).then(
        () => res.end('accepted\n'),
        (err: Error) => res.end(`refused: ${err.message}\n`),
      ).finally(() => clearInterval(watch));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as AddressInfo).port;
      // An endless body (a 1 MiB chunk at a time): it only stops when the answer has come.
      let answered = false;
      let sent = 0;
      const body = await new Promise<string>((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/', headers: { 'content-type': 'application/x-tar' } }, (res) => {
          answered = true;
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve(text));
        });
        req.on('error', (err) => (answered ? undefined : reject(err)));
        const chunk = Buffer.alloc(1024 * 1024, 7);
        const pump = (): void => {
          while (!answered && sent < 1024 * 1024 * 1024) {
            sent += chunk.length;
            if (!req.write(chunk)) return void req.once('drain', pump);
          }
          req.destroy();
        };
        pump();
      });
      assert.match(body, /^refused: the pushed tree is larger than 4 MB \(PAAS_MAX_PUSH_MB\)/);
      assert.ok(sent < 1024 * 1024 * 1024, 'the refusal came while the sender was still sending');
      assert.ok(largest <= limit, `the file reached ${largest} bytes`);
      await assert.rejects(stat(path), { code: 'ENOENT' });
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
