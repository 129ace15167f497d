import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { BuildLogWriter, EgressGuard, buildQueueName, type BuildJobData } from '@paas/shared';
import { testRedisUrl } from '@paas/test-kit';
import { startFixture, type Fixture } from '../test-support/fixture.js';
import { selfSignedCert } from '../../../controller/src/logs/test-drain-receivers.js';
import { tarEntries } from '../../../controller/src/deploy/test-tarballs.js';

describe('builds:create', () => {
  let f: Fixture;
  let dir: string;
  let server: https.Server;
  let base = '';
  let tarball: Buffer;
  let worker: Worker<BuildJobData>;
  let workerConn: Redis;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'paas-builds-create-'));
    const cert = await selfSignedCert(dir);
    // A source tree packed by the system's tar, as a GitHub archive is: one top directory.
    await mkdir(join(dir, 'src', 'app-main'), { recursive: true });
    await writeFile(join(dir, 'src', 'app-main', 'package.json'), '{}');
    execFileSync('tar', ['-czf', join(dir, 'app.tgz'), '-C', join(dir, 'src'), 'app-main']);
    tarball = await readFile(join(dir, 'app.tgz'));
    server = https.createServer({ cert: cert.cert, key: cert.key }, (req, res) => (req.url === '/app.tgz' ? res.end(tarball) : res.writeHead(404).end()));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    f = await startFixture({ harness: { egress: new EgressGuard({ allowLoopback: true }), sources: { ca: cert.cert } } });
    await f.app('shop', { deployed: false });
    workerConn = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
    worker = new Worker<BuildJobData>(
      buildQueueName,
      async (job) => {
        const out = new BuildLogWriter(workerConn, f.h.keys.buildLog(job.data.buildId));
        await out.line(`-----> tree: ${(await tarEntries(job.data.sourcePath, false)).join(' ')}`);
        await out.succeeded({ image: `img/${job.data.app}:${job.data.buildId.slice(0, 8)}`, processTypes: { web: 'node index.js' }, buildpack: 'nodejs', imageSize: 1, buildImageSize: 1 });
      },
      { connection: workerConn, prefix: f.h.keys.bull },
    );
  });
  after(async () => {
    await worker.close();
    workerConn.disconnect();
    await f.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  });

  it('--dir packs a git work tree as git would commit it (.gitignore honoured), uploads it and streams the build', async () => {
    const app = join(dir, 'repo');
    await mkdir(join(app, 'node_modules', 'x'), { recursive: true });
    await mkdir(join(app, 'lib'), { recursive: true });
    await writeFile(join(app, 'index.js'), 'console.log(1)');
    await writeFile(join(app, 'lib', 'util.js'), '');
    await writeFile(join(app, 'node_modules', 'x', 'index.js'), '');
    await writeFile(join(app, '.env'), 'SECRET=1');
    await writeFile(join(app, '.gitignore'), 'node_modules\n.env\n');
    execFileSync('git', ['init', '-q', app]);
    execFileSync('git', ['-C', app, 'add', 'index.js', '.gitignore']);
    const res = await f.cli(['builds:create', '--dir', app, '-a', 'shop']);
    assert.equal(res.stderr, '');
    assert.equal(res.code, 0);
    assert.match(res.stdout, /^Uploading 3 files \(\d+ KB\) to shop\.\.\. done\n-----> Fetching the source from the upload\n/);
    assert.match(res.stdout, /-----> tree: \.gitignore index\.js lib\/util\.js\n/);
    assert.match(res.stdout, /Released v1\n/);
  });

  it('--dir outside git packs every file but .git', async () => {
    const app = join(dir, 'plain');
    await mkdir(join(app, '.git'), { recursive: true });
    await writeFile(join(app, '.git', 'config'), '[core]');
    await writeFile(join(app, 'index.html'), '<p>hi</p>');
    const res = await f.cli(['builds:create', '--dir', app, '-a', 'shop']);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /-----> tree: index\.html\n/);
  });

  it('--source-url builds a tarball a server holds, checking --checksum; a wrong one fails non-zero', async () => {
    const sum = createHash('sha256').update(tarball).digest('hex');
    const ok = await f.cli(['builds:create', '--source-url', `${base}/app.tgz`, '--version', 'v7', '--checksum', `SHA256:${sum}`, '-a', 'shop']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /-----> Building shop \(v7\)/);
    assert.match(ok.stdout, /-----> tree: package\.json\n/);
    const bad = await f.cli(['builds:create', '--source-url', `${base}/app.tgz`, '--checksum', `SHA256:${'1'.repeat(64)}`, '-a', 'shop']);
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, / ! {5}the source's checksum is SHA256:/);
    assert.match(bad.stderr, /^paas: the build failed: the source's checksum is SHA256:[0-9a-f]{64}, not SHA256:1{64} as given: nothing was built\n$/);
    const json = await f.cli(['builds:create', '--source-url', `${base}/app.tgz`, '--json', '-a', 'shop']);
    assert.equal(json.code, 0, json.stderr);
    assert.equal(JSON.parse(json.stdout).status, 'succeeded');
  });

  it('needs exactly one of --source-url and --dir', async () => {
    const none = await f.cli(['builds:create', '-a', 'shop']);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /give one of --source-url URL or --dir DIR/);
    const refused = await f.cli(['builds:create', '--source-url', 'http://example.com/app.tgz', '-a', 'shop']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /plain http/);
  });
});
