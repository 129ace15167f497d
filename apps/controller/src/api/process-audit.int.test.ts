// Process and host commands in the audit log (restart, stop, run detached and attached, hosts:add,
// drain, undrain, remove), and the stop grace period (PAAS_STOP_GRACE) used by ps:stop as by
// releases. Real PostgreSQL, the in-memory runtime, the real local Docker engine for hosts:add.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { FrameDecoder, FrameType, encodeFrame, readExitCode } from '@paas/shared';
import { MemoryRuntimeBackend } from '../runtime/memory-runtime-backend.js';
import { serveUpgrades } from './attach-upgrade.js';
import { createApiHarness, type ApiHarness } from './test-harness.js';
import { as, deployedApp } from './test-fixtures.js';

/** Remembers the grace period of every stop. */
class RecordingRuntime extends MemoryRuntimeBackend {
  readonly graces = new Map<string, number>();
  override async stop(id: string, graceSeconds = -1): Promise<void> {
    this.graces.set(id, graceSeconds);
    return super.stop(id);
  }
}

/** An attached run over an upgraded connection: resolves with the exit code. */
function attach(port: number, app: string, token: string, command: string): Promise<number | undefined> {
  const body = JSON.stringify({ command, attach: true });
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1',
      port,
      path: `/apps/${app}/dynos`,
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), connection: 'Upgrade', upgrade: 'tcp' },
    });
    req.on('error', reject);
    req.on('response', (res) => reject(new Error(`no upgrade: ${res.statusCode}`)));
    req.on('upgrade', (_res, socket, head) => {
      let exit: number | undefined;
      const decoder = new FrameDecoder();
      const onData = (chunk: Buffer): void => {
        for (const f of decoder.push(chunk)) if (f.type === FrameType.exit) exit = readExitCode(f);
      };
      onData(head);
      socket.on('data', onData);
      socket.on('close', () => resolve(exit));
      socket.write(encodeFrame(FrameType.stdin));
    });
    req.end(body);
  });
}

describe('process and host commands: audit log and stop grace', () => {
  let h: ApiHarness;
  let runtime: RecordingRuntime;
  let alice: Awaited<ReturnType<ApiHarness['user']>>;
  let admin: Awaited<ReturnType<ApiHarness['user']>>;
  let server: http.Server;

  type Event = { actor: string | null; action: string; app: string | null; details: Record<string, unknown> };
  const audit = async (action: string): Promise<Event[]> => {
    const res = await request(h.app).get(`/admin/audit?action=${encodeURIComponent(action)}`).set(as(admin));
    assert.equal(res.status, 200, res.body.message);
    return (res.body as Event[]).reverse();
  };

  before(async () => {
    runtime = new RecordingRuntime();
    h = await createApiHarness({ runtime, stopGraceSeconds: 7 });
    alice = await h.user('alice@example.com');
    admin = await h.user('root@example.com', 'admin');
    await deployedApp(h, 'shop', alice.user.id);
    await request(h.app).patch('/apps/shop/formation').set(as(alice)).send({ updates: [{ type: 'worker', quantity: 1 }] }).expect(200);
    server = http.createServer(h.app);
    serveUpgrades(server, h.app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  });
  after(async () => {
    await new Promise((r) => server.close(r));
    await h.close();
  });

  test('ps:stop and the processes a release replaces get the platform grace period', async () => {
    const worker = (await h.runtime.list({ app: 'shop' })).find((p) => p.name === 'worker.1')!;
    await request(h.app).post('/apps/shop/dynos/worker.1/actions/stop').set(as(alice)).expect(202);
    assert.equal(runtime.graces.get(worker.id), 7);
    const before = await h.runtime.list({ app: 'shop' });
    await request(h.app).patch('/apps/shop/config-vars').set(as(alice)).send({ GREETING: 'hi' }).expect(200);
    await h.deployer.settle();
    assert.deepEqual(before.map((p) => [p.name, runtime.graces.get(p.id)]), before.map((p) => [p.name, 7]));
  });

  test('restart, stop and run are recorded with the actor and what they touched', async () => {
    await request(h.app).delete('/apps/shop/dynos/web.1').set(as(alice)).expect(200);
    await request(h.app).delete('/apps/shop/dynos/clock').set(as(alice)).expect(404);
    await request(h.app).post('/apps/shop/dynos/web.1/actions/stop').set(as(alice)).expect(202);
    const run = await request(h.app).post('/apps/shop/dynos').set(as(alice)).send({ command: 'node migrate.js' }).expect(201);
    assert.equal(await attach((server.address() as AddressInfo).port, 'shop', alice.token, 'bash'), 0);

    const seen = (await audit('process.')).map((e) => [e.actor, e.action, e.app, e.details]);
    assert.deepEqual(seen, [
      ['alice@example.com', 'process.stop', 'shop', { processes: ['worker.1'] }], // the test before
      ['alice@example.com', 'process.restart', 'shop', { processes: ['web.1'], result: 'succeeded' }],
      ['alice@example.com', 'process.stop', 'shop', { processes: ['web.1'] }],
      ['alice@example.com', 'process.run', 'shop', { process: run.body.name, command: 'node migrate.js', attach: false }],
      ['alice@example.com', 'process.run', 'shop', { process: 'run.2', command: 'bash', attach: true, tty: false }],
    ]);
  });

  test('hosts:add, drain, undrain and remove are recorded', async () => {
    await request(h.app).post('/hosts').set(as(admin)).send({ name: 'node-2', docker_url: 'unix:///var/run/docker.sock', address: '10.0.0.2', capacity_memory_mb: 2048 }).expect(201);
    await request(h.app).post('/hosts/node-2/drain').set(as(admin)).expect(200);
    await request(h.app).post('/hosts/node-2/undrain').set(as(admin)).expect(200);
    await request(h.app).delete('/hosts/node-2?force=true').set(as(admin)).expect(200);
    await request(h.app).delete('/hosts/node-2').set(as(admin)).expect(404);
    const seen = (await audit('host.')).map((e) => [e.actor, e.action, e.details]);
    assert.deepEqual(seen, [
      ['root@example.com', 'host.add', { host: 'node-2', docker_url: 'unix:///var/run/docker.sock', address: '10.0.0.2', capacity_memory_mb: 2048, tls: false, insecure: false }],
      ['root@example.com', 'host.drain', { host: 'node-2' }],
      ['root@example.com', 'host.undrain', { host: 'node-2' }],
      ['root@example.com', 'host.remove', { host: 'node-2', force: true, processes: 0 }],
    ]);
  });
});
