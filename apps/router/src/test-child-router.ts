/* The router as a real child process (node:cluster primary and workers), for the tests that need one. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { request } from './test-http.js';
import { freePort, testRedisUrl } from '@paas/test-kit';

const mainTs = fileURLToPath(new URL('./main.ts', import.meta.url));

export interface ChildRouter {
  port: number;
  tlsPort: number;
  child: ChildProcess;
  /** Resident memory (KiB) of the primary and its workers. */
  rssKb: () => number;
  output: () => string;
  stop: () => Promise<void>;
}

export async function startChildRouter(prefix: string, env: Record<string, string> = {}): Promise<ChildRouter> {
  const port = await freePort();
  const tlsPort = await freePort();
  const child = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', mainTs], {
    env: {
      PATH: process.env['PATH'] ?? '',
      PAAS_ROUTER_PORT: String(port),
      PAAS_ROUTER_TLS_PORT: String(tlsPort),
      // the internal listener's default port (5055) may be a running platform's router
      PAAS_ROUTER_INTERNAL_PORT: String(await freePort()),
      PAAS_ROUTER_HOST: '127.0.0.1',
      PAAS_DOMAIN: 'paas.test',
      REDIS_URL: testRedisUrl(),
      PAAS_REDIS_PREFIX: prefix,
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  child.stderr!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  const deadline = Date.now() + 30_000;
  for (;;) {
    const ok = await request(port, 'localhost', { path: '/healthz' }).then((r) => r.status === 200, () => false);
    if (ok) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the router did not start:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port,
    tlsPort,
    child,
    rssKb: () => {
      // From /proc (cheap enough to sample often): the primary and its workers.
      const pids = [child.pid!, ...readChildren(child.pid!)];
      return pids.reduce((sum, pid) => sum + rssOf(pid), 0);
    },
    output: () => out,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

function readChildren(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function rssOf(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}
