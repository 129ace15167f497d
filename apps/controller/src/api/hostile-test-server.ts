/**
 * The controller's API on the real HTTP server of main.ts (createApiServer), with short deadlines, for
 * tests that attack it over raw sockets. It records every uncaught exception and unhandled rejection
 * of this process, so a test can prove the controller survived as the same process, and answers
 * health checks.
 */
import { execFile } from 'node:child_process';
import type http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { createLogger } from '@paas/shared';
import { createApiServer, type HttpLimits } from './http-server.js';
import { createApiHarness, type ApiHarness } from './test-harness.js';

export const testLimits: HttpLimits = {
  headersTimeoutMs: 600,
  requestTimeoutMs: 4_000,
  bodyIdleTimeoutMs: 600,
  keepAliveTimeoutMs: 1_000,
  checkIntervalMs: 100,
};

export interface HostileServer {
  h: ApiHarness;
  server: http.Server;
  port: number;
  /** A signed-in user owning the app `shop` (with its git repository). */
  token: string;
  /** Uncaught exceptions and unhandled rejections seen since the start. */
  crashes: unknown[];
  /** GET /health over a fresh connection: its status. */
  health(): Promise<number>;
  /** The git processes this process still runs once they had a few seconds to end (0: none left behind). */
  gitLeftBehind(): Promise<number>;
  close(): Promise<void>;
}

export async function startHostileServer(gitCommandsTimeoutMs = 600): Promise<HostileServer> {
  const crashes: unknown[] = [];
  const record = (err: unknown): void => void crashes.push(err);
  process.on('uncaughtException', record);
  process.on('unhandledRejection', record);
  const h = await createApiHarness({ gitLimits: { commandsTimeoutMs: gitCommandsTimeoutMs } });
  const { token } = await h.user('alice@example.com');
  await request(h.app).post('/apps').set({ Authorization: `Bearer ${token}` }).send({ name: 'shop' }).expect(201);
  const server = createApiServer(h.app, createLogger('test', 'silent'), testLimits);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    h,
    server,
    port,
    token,
    crashes,
    async health() {
      const res = await fetch(`http://127.0.0.1:${port}/health`, { headers: { connection: 'close' } });
      await res.arrayBuffer();
      return res.status;
    },
    async gitLeftBehind() {
      let left = 0;
      for (let i = 0; i < 50; i++) {
        const { stdout } = await promisify(execFile)('ps', ['-o', 'comm=', '--ppid', String(process.pid)]).catch(() => ({ stdout: '' }));
        left = stdout.split('\n').filter((c) => c.trim().startsWith('git')).length;
        if (left === 0) return 0;
        await sleep(100);
      }
      return left;
    },
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await h.close();
      process.off('uncaughtException', record);
      process.off('unhandledRejection', record);
    },
  };
}
