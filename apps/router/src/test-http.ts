/* HTTP helpers for the router's tests: a wired router, tiny backends and a plain client. */
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { RouteStore } from '@paas/shared';
import { HttpProxy } from './proxy.js';
import { RoundRobin } from './round-robin.js';
import { createRouterServer } from './router-server.js';
import { RouteSync } from './route-sync.js';
import { RouteTable } from './route-table.js';
import { UpgradeProxy } from './upgrade-proxy.js';
import { quietLogger } from './test-support.js';

export interface TestRouter {
  port: number;
  table: RouteTable;
  sync: RouteSync;
  close: () => Promise<void>;
}

/** The router wired as main.ts wires it, on 127.0.0.1 and a random port, synced once. */
export async function startRouter(store: RouteStore, options: { timeoutMs?: number; domain?: string; resyncMs?: number } = {}): Promise<TestRouter> {
  const logger = quietLogger();
  const table = new RouteTable();
  const sync = new RouteSync(store, table, { logger, resyncMs: options.resyncMs ?? 60_000, retryMs: 50 });
  const balancer = new RoundRobin();
  const agent = new http.Agent({ keepAlive: true, timeout: 4000 });
  const timeoutMs = options.timeoutMs ?? 5000;
  const upgrades = new UpgradeProxy({ balancer, timeoutMs, logger });
  const server = createRouterServer({
    table,
    synced: () => sync.synced,
    domain: options.domain ?? 'paas.test',
    proxy: new HttpProxy({ agent, balancer, timeoutMs, logger }),
    upgrades,
    logger,
  });
  const port = await listen(server);
  await sync.start();
  return {
    port,
    table,
    sync,
    close: async () => {
      await sync.stop();
      upgrades.closeAll();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      agent.destroy();
    },
  };
}

export async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

export interface TestBackend {
  name: string;
  port: number;
  /** Requests seen, in order. */
  seen: http.IncomingMessage[];
  close: () => Promise<void>;
}

/** A backend that answers with `handler`, by default JSON naming itself and echoing what it got. */
export async function startBackend(name: string, handler?: http.RequestListener): Promise<TestBackend> {
  const seen: http.IncomingMessage[] = [];
  const server = http.createServer((req, res) => {
    seen.push(req);
    if (handler) return handler(req, res);
    const body = JSON.stringify({ backend: name, method: req.method, url: req.url, headers: req.headers });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  const port = await listen(server);
  return {
    name,
    port,
    seen,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

/** A port on 127.0.0.1 with nothing listening (connecting to it is refused). */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  const port = await listen(server);
  await new Promise((r) => server.close(r));
  return port;
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One request to the router on a fresh connection. */
export function request(port: number, host: string, options: { path?: string; method?: string; headers?: http.OutgoingHttpHeaders; body?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path: options.path ?? '/', method: options.method ?? 'GET', headers: { host, ...options.headers }, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

export function json(reply: Reply): Record<string, unknown> {
  return JSON.parse(reply.body) as Record<string, unknown>;
}
