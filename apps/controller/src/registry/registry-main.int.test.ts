// The embedded registry's process as `npm run up` runs it (registry-main.ts): docker-registry with
// basic auth, TLS from paas's CA (made in PostgreSQL, key sealed), garbage collection on SIGUSR2
// (read-only restart), and a SIGTERM that leaves nothing running.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Docker from 'dockerode';
import { ImageRegistry, SecretBox } from '@paas/shared';
import { eventually, freePort } from '@paas/test-kit';
import { createTestDatabase, type TestDatabase } from '../db/test-database.js';

const main = fileURLToPath(new URL('./registry-main.ts', import.meta.url));
const secret = randomBytes(32).toString('hex');
const cleanups: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

function start(env: Record<string, string>): { child: ChildProcess; output: () => string } {
  let out = '';
  const child = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', main], {
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  cleanups.push(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    // the registry of a parent killed mid-test
    const pid = Number(await readFile(join(env['PAAS_HOME'] ?? '', 'run', 'registry-server.pid'), 'utf8').catch(() => ''));
    if (Number.isInteger(pid) && pid > 1) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        /* gone */
      }
    }
  });
  return { child, output: () => out };
}

async function stopped(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  return new Promise((r) => child.once('exit', (code) => r(code)));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('on loopback: basic auth, garbage collection on SIGUSR2, and SIGTERM stops the registry too', async () => {
  const home = await mkdtemp(join(tmpdir(), 'paas-registry-main-'));
  cleanups.push(() => rm(home, { recursive: true, force: true }));
  const port = await freePort();
  const password = randomBytes(9).toString('hex');
  const { child, output } = start({ PAAS_HOME: home, PAAS_REGISTRY_LISTEN: `127.0.0.1:${port}`, PAAS_REGISTRY_USERNAME: 'paas', PAAS_REGISTRY_PASSWORD: password });
  const registry = new ImageRegistry({ address: `127.0.0.1:${port}`, hostsAddress: `127.0.0.1:${port}`, scheme: 'http', username: 'paas', password });
  await eventually(() => registry.ping(), 'the registry answers', { timeoutMs: 60_000 });
  assert.deepEqual(await registry.tags('paas/none'), []);
  const anonymous = new ImageRegistry({ ...registry.settings, username: undefined, password: undefined });
  await assert.rejects(anonymous.tags('paas/none'), /HTTP 401/);
  assert.equal((await stat(join(home, 'registry'))).mode & 0o777, 0o700);
  const config = JSON.parse(await readFile(join(home, 'registry', 'config.yml'), 'utf8')) as { storage: { delete: { enabled: boolean } } };
  assert.equal(config.storage.delete.enabled, true);

  await eventually(() => output().includes('"msg":"registry started"'), 'the registry started', { timeoutMs: 30_000 });
  // something to collect: paas/run:bookworm pushed by this machine's engine (loopback: plain HTTP allowed)
  const docker = new Docker();
  await docker.getImage('paas/run:bookworm').tag({ repo: 'paas/gc-test', tag: port.toString() });
  cleanups.push(() => docker.getImage(`paas/gc-test:${port}`).remove());
  await registry.push(docker, `paas/gc-test:${port}`);
  assert.equal(await registry.deleteImage(`paas/gc-test:${port}`), true);
  const pid = Number((await readFile(join(home, 'run', 'registry-server.pid'), 'utf8')).trim());
  child.kill('SIGUSR2');
  await eventually(() => output().includes('registry garbage collected'), 'a garbage collection', { timeoutMs: 60_000 });
  assert.match(output(), /"readOnly":true/);
  assert.match(output(), /blobs and 1 manifests eligible for deletion|blobs and 0 manifests eligible for deletion/);
  assert.doesNotMatch(output(), /garbage collection failed/);
  await eventually(() => registry.ping(), 'the registry answers again, read-write', { timeoutMs: 30_000 });
  const newPid = Number((await readFile(join(home, 'run', 'registry-server.pid'), 'utf8')).trim());
  assert.notEqual(newPid, pid);

  child.kill('SIGTERM');
  assert.equal(await stopped(child), 0);
  assert.equal(alive(newPid), false, 'docker-registry stopped with its parent');
});

test('for a cluster: TLS under a certificate from paas\'s CA, made once in PostgreSQL with its key sealed', async () => {
  const db: TestDatabase = await createTestDatabase();
  cleanups.push(() => db.drop());
  const home = await mkdtemp(join(tmpdir(), 'paas-registry-main-'));
  cleanups.push(() => rm(home, { recursive: true, force: true }));
  const port = await freePort();
  const { child } = start({ PAAS_HOME: home, PAAS_REGISTRY_LISTEN: `127.0.0.1:${port}`, PAAS_REGISTRY_TLS: 'on', DATABASE_URL: db.url, PAAS_SECRET: secret });
  const caFile = join(home, 'registry', 'tls', 'ca.crt');
  const registry = new ImageRegistry({ address: `127.0.0.1:${port}`, hostsAddress: `127.0.0.1:${port}`, scheme: 'https', caFile });
  await eventually(() => registry.ping(), 'the registry answers over TLS, checked with the CA', { timeoutMs: 60_000 });
  const { rows } = await db.pool.query<{ cert: string; key_sealed: string }>('SELECT cert, key_sealed FROM platform_ca');
  assert.equal(rows.length, 1);
  assert.equal(rows[0]!.cert, await readFile(caFile, 'utf8'));
  assert.doesNotMatch(rows[0]!.key_sealed, /PRIVATE KEY/);
  assert.match(new SecretBox(secret, 'platform ca').open(rows[0]!.key_sealed, 'platform_ca:1'), /BEGIN PRIVATE KEY/);
  assert.equal((await stat(join(home, 'registry', 'tls', 'server.key'))).mode & 0o777, 0o600);
  // a client that does not trust paas's CA is refused
  const untrusting = new ImageRegistry({ ...registry.settings, caFile: undefined });
  assert.equal(await untrusting.ping(), false);
  child.kill('SIGTERM');
  assert.equal(await stopped(child), 0);
});

test('a bad setting stops it at once, naming the variable', async () => {
  const { child, output } = start({ PAAS_HOME: tmpdir(), PAAS_REGISTRY_LISTEN: 'nowhere' });
  assert.notEqual(await stopped(child), 0);
  assert.match(output(), /PAAS_REGISTRY_LISTEN: must be host:port/);
});
