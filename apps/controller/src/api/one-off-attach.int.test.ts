// `paas run` end to end: the real CLI (from its sources) against the controller's HTTP app with a
// DockerHostBackend on the local engine, a release whose image is paas/run:bookworm.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Docker from 'dockerode';
import request from 'supertest';
import { createLogger } from '@paas/shared';
import { findAppByName } from '../db/apps.js';
import { DockerHostBackend } from '../runtime/docker-host-backend.js';
import { serveUpgrades } from './attach-upgrade.js';
import { createApiHarness, type ApiHarness } from './test-harness.js';

const cliMain = fileURLToPath(new URL('../../../cli/src/main.ts', import.meta.url));
const image = 'paas/run:bookworm';

describe('paas run against Docker', () => {
  const docker = new Docker();
  const cluster = `test-${randomBytes(4).toString('hex')}`;
  let h: ApiHarness;
  let server: http.Server;
  let env: Record<string, string>;
  let home: string;

  const paas = (args: string[], input = ''): Promise<{ code: number | null; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      const child = spawn(process.execPath, ['--conditions=development', '--import', import.meta.resolve('tsx'), cliMain, ...args], { env });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c));
      child.stderr.on('data', (c: Buffer) => (stderr += c));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
      child.stdin.end(input);
    });

  before(async () => {
    await docker.getImage(image).inspect();
    const runtime = new DockerHostBackend({ docker, hostName: 'local', publishAddress: '127.0.0.1', address: '127.0.0.1', cluster, log: createLogger('test', 'silent') });
    h = await createApiHarness({ runtime });
    const { token } = await h.user('dev@example.com');
    await request(h.app).post('/apps').set({ Authorization: `Bearer ${token}` }).send({ name: 'runner' }).expect(201);
    await request(h.app).patch('/apps/runner/config-vars').set({ Authorization: `Bearer ${token}` }).send({ GREETING: 'hello' }).expect(200);
    const app = (await findAppByName(h.db.pool, 'runner'))!;
    // No web type: the release starts nothing, one-offs still get its image and config.
    await h.releases.release(app, { image, processTypes: { worker: 'sleep 1000' }, buildId: null, description: 'Deploy 1', userId: null });
    server = http.createServer(h.app);
    serveUpgrades(server, h.app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    home = await mkdtemp(join(tmpdir(), 'paas-run-e2e-'));
    env = { PATH: process.env['PATH'] ?? '', PAAS_HOME: home, PAAS_API_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, PAAS_API_TOKEN: token };
  });

  after(async () => {
    await new Promise((r) => server.close(r));
    const left = await docker.listContainers({ all: true, filters: { label: [`paas.cluster=${cluster}`] } });
    await Promise.all(left.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
    for (const n of await docker.listNetworks({ filters: { label: [`paas.cluster=${cluster}`] } })) await docker.getNetwork(n.Id).remove().catch(() => undefined);
    await h.close();
    await rm(home, { recursive: true, force: true });
  });

  test("paas run prints the process's output and exits with its code; the container is gone after", async () => {
    const res = await paas(['run', '-a', 'runner', '--', 'echo hi; echo "$GREETING from $DYNO" >&2; exit 3']);
    assert.equal(res.stdout, 'hi\n');
    assert.equal(res.stderr, 'Running echo hi; echo "$GREETING from $DYNO" >&2; exit 3 on runner... up, run.1\nhello from run.1\n');
    assert.equal(res.code, 3);
    for (let i = 0; i < 50; i++) {
      const left = await docker.listContainers({ all: true, filters: { label: [`paas.cluster=${cluster}`, 'paas.role=run'] } });
      if (left.length === 0) break;
      assert.ok(i < 49, 'the one-off container is removed');
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  test('stdin reaches the process', async () => {
    const res = await paas(['run', '-a', 'runner', '--', 'read x; echo got $x'], 'world\n');
    assert.equal(res.stdout, 'got world\n');
    assert.equal(res.code, 0);
  });

  test('an empty command is refused before anything runs', async () => {
    const res = await paas(['run', '-a', 'runner', '--', ' ']);
    assert.equal(res.code, 1);
    assert.match(res.stderr, /paas: command: is empty/);
  });

  test('run:detached runs to completion in the background; its container keeps the output', async () => {
    const res = await paas(['run:detached', '-a', 'runner', '--', 'echo background $GREETING']);
    assert.equal(res.code, 0, res.stderr);
    const name = /done, (run\.\d+)/.exec(res.stdout)?.[1];
    assert.ok(name, res.stdout);
    let logs = '';
    for (let i = 0; i < 50 && !logs.includes('background'); i++) {
      const [c] = await docker.listContainers({ all: true, filters: { label: [`paas.cluster=${cluster}`, `paas.process=${name}`, 'paas.role=run', 'paas.app=runner'] } });
      if (c) logs = String(await docker.getContainer(c.Id).logs({ stdout: true, stderr: true }));
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.match(logs, /background hello/);
    const ps = await paas(['ps', '-a', 'runner']);
    assert.match(ps.stdout, new RegExp(`=== run \\(1\\)[^\\n]*\\n${name.replace('.', '\\.')} +(up|down)`));
  });
});
