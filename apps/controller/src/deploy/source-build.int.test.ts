import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { BuildLogWriter, EgressGuard, buildQueueName, type BuildJobData } from '@paas/shared';
import { testRedisUrl } from '@paas/test-kit';
import { createApiHarness, type ApiHarness } from '../api/test-harness.js';
import { as } from '../api/test-fixtures.js';
import { selfSignedCert } from '../logs/test-drain-receivers.js';
import { makeTarball as tarball, tarEntries } from './test-tarballs.js';

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('builds from a source tarball (POST /apps/{app}/builds)', () => {
  let h: ApiHarness;
  let dir: string;
  let server: https.Server;
  let base = '';
  const sockets = new Set<Socket>();
  const files: Record<string, Buffer> = {};
  let worker: Worker<BuildJobData>;
  let workerConn: Redis;
  let alice: { token: string; user: { id: string } };
  let bob: { token: string; user: { id: string } };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'paas-source-build-test-'));
    const cert = await selfSignedCert(dir);
    files['/app.tar.gz'] = await tarball([
      { name: 'app-1.0/', type: 'directory' },
      { name: 'app-1.0/package.json', body: '{"name":"x"}' },
      { name: 'app-1.0/index.js', body: 'console.log(1)' },
      { name: 'app-1.0/lib/', type: 'directory' },
      { name: 'app-1.0/lib/link.js', type: 'symlink', linkname: '../index.js' },
    ]);
    files['/notar'] = Buffer.from('<html>not a tarball</html>');
    files['/bomb'] = await tarball([{ name: 'zeros.bin', body: Buffer.alloc(3 * 1024 * 1024) }]);
    files['/traversal'] = await tarball([{ name: 'index.js', body: 'x' }, { name: '../../etc/cron.d/evil', body: 'x' }]);
    files['/absolute'] = await tarball([{ name: '/etc/passwd', body: 'x' }]);
    files['/symlink'] = await tarball([{ name: 'index.js', body: 'x' }, { name: 'sub/secrets', type: 'symlink', linkname: '../../../etc/shadow' }]);
    server = https.createServer({ cert: cert.cert, key: cert.key }, (req, res) => {
      const path = req.url ?? '/';
      if (path === '/to-private') return void res.writeHead(302, { location: 'https://10.1.2.3/app.tar.gz' }).end();
      if (path === '/to-app') return void res.writeHead(301, { location: '/app.tar.gz' }).end();
      if (path === '/slow') return; // never answers
      const body = files[path];
      if (!body) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/gzip' }).end(body);
    });
    server.on('connection', (s: Socket) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // The test allows loopback for itself, as the operator setting PAAS_EGRESS_ALLOW_LOOPBACK does.
    h = await createApiHarness({ egress: new EgressGuard({ allowLoopback: true }), maxPushBytes: 1024 * 1024, sources: { ca: cert.cert, fetchTimeoutMs: 2000 } });
    alice = await h.user('alice@example.com');
    bob = await h.user('bob@example.com');
    await request(h.app).post('/apps').set(as(alice)).send({ name: 'tarred' }).expect(201);
    // A stand-in builder on the real build queue: it reports the tree it was given and succeeds.
    workerConn = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
    worker = new Worker<BuildJobData>(
      buildQueueName,
      async (job) => {
        const out = new BuildLogWriter(workerConn, h.keys.buildLog(job.data.buildId));
        await out.line(`-----> tree: ${(await tarEntries(job.data.sourcePath, false)).join(' ')}`);
        await out.succeeded({ image: `img/${job.data.app}:${job.data.buildId.slice(0, 8)}`, processTypes: { web: 'node index.js' }, buildpack: 'nodejs', imageSize: 1, buildImageSize: 1 });
      },
      { connection: workerConn, prefix: h.keys.bull },
    );
  });
  after(async () => {
    await worker.close();
    workerConn.disconnect();
    await h.close();
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  });

  /** Starts a build and reads its output_stream_url to the end: the build's JSON at the end, and the text. */
  async function build(blob: Record<string, unknown>, who = alice): Promise<{ created: request.Response; output: string; final: { status: string; error: string | null; release: { id: string } | null } }> {
    const created = await request(h.app).post('/apps/tarred/builds').set(as(who)).send({ source_blob: blob });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const url = new URL(created.body.output_stream_url as string);
    const stream = await request(h.app).get(`${url.pathname}${url.search}`).buffer(true).parse((res, cb) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString('utf8')));
      res.on('end', () => cb(null, text));
    });
    assert.equal(stream.status, 200);
    assert.match(stream.headers['content-type'] ?? '', /^text\/plain/);
    const final = await request(h.app).get(`/apps/tarred/builds/${created.body.id}`).set(as(who)).expect(200);
    return { created, output: stream.body as string, final: final.body };
  }

  test('a tarball served over HTTPS is fetched, its checksum checked, its top directory stripped, built and released, the output streamed', async () => {
    const body = files['/app.tar.gz']!;
    const { created, output, final } = await build({ url: `${base}/app.tar.gz`, version: 'v1.0', checksum: `SHA256:${sha256(body).toUpperCase()}` });
    assert.equal(created.body.status, 'pending');
    assert.deepEqual(created.body.source_blob, { url: `${base}/app.tar.gz`, version: 'v1.0', checksum: `SHA256:${sha256(body).toUpperCase()}` });
    assert.deepEqual(created.body.app.name, 'tarred');
    assert.match(created.body.output_stream_url, /^http:\/\/127\.0\.0\.1:5050\/build-output\/[0-9a-f-]{36}\?token=/);
    assert.match(output, /-----> Fetching the source from https:\/\/127\.0\.0\.1:\d+\/app\.tar\.gz/);
    assert.match(output, /-----> tree: index\.js lib\/link\.js->\.\.\/index\.js package\.json/);
    assert.match(output, /Released v1/);
    assert.equal(final.status, 'succeeded');
    assert.ok(final.release, 'the build names its release');
    const releases = await request(h.app).get('/apps/tarred/releases').set(as(alice)).expect(200);
    assert.equal(releases.body.at(-1).description, 'Deploy v1.0');
    // A redirect within the guard's rules is followed.
    const moved = await build({ url: `${base}/to-app` });
    assert.equal(moved.final.status, 'succeeded', moved.output);
  });

  test('a wrong checksum fails the build with the reason, and nothing is released', async () => {
    const before = (await request(h.app).get('/apps/tarred/releases').set(as(alice)).expect(200)).body.length;
    const { output, final } = await build({ url: `${base}/app.tar.gz`, checksum: `SHA256:${'0'.repeat(64)}` });
    assert.equal(final.status, 'failed');
    assert.match(final.error ?? '', /checksum is SHA256:[0-9a-f]{64}, not SHA256:0{64} as given: nothing was built/);
    assert.match(output, / ! {5}.*checksum/);
    assert.doesNotMatch(output, /-----> tree:/, 'the builder never saw it');
    const after = (await request(h.app).get('/apps/tarred/releases').set(as(alice)).expect(200)).body.length;
    assert.equal(after, before);
  });

  test('hostile sources fail their build with a reason: not a tar, a zip bomb, traversal, absolute paths, escaping links, a redirect to a private address, a silent server', async () => {
    for (const [path, reason] of [
      ['/notar', /not a gzipped tar archive/],
      ['/bomb', /larger than 1 MB once unpacked/],
      ['/traversal', /a path outside the archive \(\.\.\/\.\.\/etc\/cron\.d\/evil\)/],
      ['/absolute', /absolute path|outside the archive/],
      ['/symlink', /a symbolic link out of the archive \(sub\/secrets -> \.\.\/\.\.\/\.\.\/etc\/shadow\)/],
      ['/to-private', /10\.1\.2\.3 is a private network address/],
      ['/slow', /took longer than 2 s/],
      ['/missing', /HTTP 404/],
    ] as const) {
      const { output, final } = await build({ url: `${base}${path}` });
      assert.equal(final.status, 'failed', path);
      assert.match(final.error ?? '', reason, `${path}: ${final.error}`);
      assert.doesNotMatch(output, /-----> tree:/, `${path}: the builder never saw it`);
    }
  });

  test('an upload through the API is built like a URL (paas builds:create --dir); uploads are size-limited and per app', async () => {
    const src = await request(h.app).post('/apps/tarred/sources').set(as(alice)).expect(201);
    const put = new URL(src.body.source_blob.put_url as string);
    await request(h.app).put(put.pathname).set(as(alice)).set('content-type', 'application/octet-stream').send(files['/app.tar.gz']).expect(200);
    const { output, final } = await build({ url: src.body.source_blob.get_url });
    assert.equal(final.status, 'succeeded', output);
    assert.match(output, /Fetching the source from the upload/);
    // Built once: the same URL again is refused.
    const again = await request(h.app).post('/apps/tarred/builds').set(as(alice)).send({ source_blob: { url: src.body.source_blob.get_url } });
    assert.equal(again.status, 422);
    const big = await request(h.app).post('/apps/tarred/sources').set(as(alice)).expect(201);
    const tooBig = await request(h.app).put(new URL(big.body.source_blob.put_url).pathname).set(as(alice)).set('content-type', 'application/octet-stream').send(Buffer.alloc(2 * 1024 * 1024));
    assert.equal(tooBig.status, 413);
  });

  test('another tenant can neither build nor upload nor read the output; bad input is a 4xx', async () => {
    await request(h.app).post('/apps/tarred/builds').set(as(bob)).send({ source_blob: { url: `${base}/app.tar.gz` } }).expect(404);
    await request(h.app).post('/apps/tarred/sources').set(as(bob)).expect(404);
    await request(h.app).put(`/apps/tarred/sources/${'0'.repeat(8)}-0000-4000-8000-000000000000`).set(as(bob)).send(Buffer.from('x')).expect(404);
    const { created } = await build({ url: `${base}/notar` });
    const url = new URL(created.body.output_stream_url as string);
    const id = created.body.id as string;
    await request(h.app).get(url.pathname).expect(422);
    await request(h.app).get(`${url.pathname}?token=forged`).expect(401);
    const other = await request(h.app).get(`/build-output/00000000-0000-4000-8000-000000000000${url.search}`);
    assert.equal(other.status, 401, 'a token opens its own build only');
    assert.match(other.body.message, /another build/);
    assert.ok(id);
    for (const [body, pattern] of [
      [{}, /source_blob/],
      [{ source_blob: { url: `${base}/app.tar.gz`, checksum: 'md5:abc' } }, /SHA256:<64 hex digits>/],
      [{ source_blob: { url: 'http://example.com/app.tgz' } }, /plain http/],
      [{ source_blob: { url: 'https://10.0.0.9/app.tgz' } }, /private network address/],
      [{ source_blob: { url: 'https://user:pw@example.com/app.tgz' } }, /user name or password/],
      [{ source_blob: { url: 'http://127.0.0.1:5050/apps/tarred/sources/nope' } }, /not an upload URL/],
    ] as const) {
      const res = await request(h.app).post('/apps/tarred/builds').set(as(alice)).send(body);
      assert.equal(res.status, 422, JSON.stringify(res.body));
      assert.match(res.body.message, pattern);
    }
  });
});
