/**
 * A Docker host whose engine hangs (accepts connections, answers nothing: a fake API socket here),
 * next to the real local engine: every call to it ends with a timeout instead of waiting for ever,
 * the host is marked down after consecutive failed checks, and the cluster keeps working with the
 * host that answers (listing, placement).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createLogger } from '@paas/shared';
import { createTestDatabase, type TestDatabase } from '../db/test-database.js';
import { insertHost, listHosts } from '../db/hosts.js';
import { ClusterRuntime } from './cluster-runtime.js';
import { dockerFor } from './host-registry.js';

let db: TestDatabase;
let dir: string;
let hung: Server;
const sockets = new Set<Socket>();
let accepted = 0;
let runtime: ClusterRuntime;

before(async () => {
  db = await createTestDatabase();
  dir = await mkdtemp(join(tmpdir(), 'paas-hung-engine-'));
  const socketPath = join(dir, 'docker.sock');
  hung = createServer((s) => {
    accepted++;
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
    s.resume(); // reads the request, never answers
  });
  await new Promise<void>((r) => hung.listen(socketPath, r));
  await insertHost(db.pool, { name: 'local', dockerUrl: 'unix:///var/run/docker.sock', address: '127.0.0.1', capacityMemoryMb: null, labels: {}, tls: null });
  await insertHost(db.pool, { name: 'hung', dockerUrl: `unix://${socketPath}`, address: '127.0.0.2', capacityMemoryMb: null, labels: {}, tls: null });
  runtime = new ClusterRuntime({
    pool: db.pool,
    cluster: `test-${randomBytes(4).toString('hex')}`,
    imageSource: undefined as never,
    localPublishAddress: '127.0.0.1',
    defaultMemoryMb: 128,
    failuresBeforeDown: 2,
    log: createLogger('test', 'silent'),
  });
});
after(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => hung.close(r));
  await db?.drop();
  await rm(dir, { recursive: true, force: true });
});

test('a hung engine is marked down after consecutive failed checks; the other host keeps working', async () => {
  const first = await runtime.checkHealth();
  assert.ok(accepted > 0, 'the check reached the hung engine');
  assert.deepEqual(first, [], 'one failed check is not enough to mark a host down');
  const second = await runtime.checkHealth();
  assert.deepEqual(second, [{ name: 'hung', up: false }]);
  const rows = await listHosts(db.pool);
  const hungRow = rows.find((r) => r.name === 'hung')!;
  assert.equal(hungRow.status, 'down');
  assert.match(hungRow.last_error ?? '', /timed out|did not answer in time/);
  assert.equal(rows.find((r) => r.name === 'local')!.status, 'up');
  // The cluster answers from the host that is up: a hung engine does not hold the listing.
  assert.deepEqual(await runtime.list({ app: 'nothing-here' }), []);
  await runtime.ping();
  assert.deepEqual(runtime.engines().map((e) => e.row.name), ['local']);
});

test('calls to a hung engine end with a timeout instead of hanging', async () => {
  // The engine itself, as the runtime reaches it: every request gets a deadline.
  const member = runtime.hosts().find((h) => h.name === 'hung')!;
  assert.equal(member.status, 'down');
  const docker = dockerFor({ docker_url: member.docker_url, tls: null }, 500);
  await assert.rejects(docker.listContainers(), /timeout|timed out|ETIMEDOUT|socket hang up/i);
});
