/**
 * A Redis server of the test's own (a free port, nothing kept on disk, as the platform's Redis runs),
 * for fault tests that restart it empty: the shared server the other suites use is never touched.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from '@paas/test-kit';

export interface PrivateRedis {
  url: string;
  port: number;
  /** SIGKILL: nothing is saved, clients see their connections drop. */
  kill(): Promise<void>;
  /** Starts it again, empty, on the same port; answers once it accepts commands. */
  start(): Promise<void>;
  /** Stops it and removes its directory. */
  remove(): Promise<void>;
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'paas-redis-'));
  const port = await freePort();
  let server: ChildProcess | undefined;
  let output = '';
  const start = async (): Promise<void> => {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
    server = spawn('redis-server', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    server.stdout!.on('data', (b: Buffer) => (output = (output + b.toString()).slice(-10_000)));
    server.stderr!.on('data', (b: Buffer) => (output = (output + b.toString()).slice(-10_000)));
    for (let i = 0; i < 100; i++) {
      if (server.exitCode !== null) break;
      const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      probe.on('error', () => undefined);
      const ok = await probe
        .connect()
        .then(() => probe.ping())
        .then(() => true, () => false);
      probe.disconnect();
      if (ok) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`the private Redis did not start:\n${output}`);
  };
  const kill = async (): Promise<void> => {
    const s = server;
    server = undefined;
    if (!s || s.exitCode !== null) return;
    const exited = new Promise((r) => s.once('exit', r));
    s.kill('SIGKILL');
    await exited;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    kill,
    start,
    async remove() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
