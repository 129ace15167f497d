/* HTTP helpers for the router's tests: a wired router, tiny backends and a plain client. */
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { RouteStore } from '@paas/shared';
import type { AccessLogSink } from './access-log.js';
import type { PemPair } from './cert-table.js';
import { RouterInstance, type RouterSettings } from './router-instance.js';
import type { RouteSync } from './route-sync.js';
import type { RouteTable } from './route-table.js';
import { quietLogger, testConfig } from './test-support.js';

export interface TestRouter {
  port: number;
  tlsPort: number;
  table: RouteTable;
  sync: RouteSync;
  instance: RouterInstance;
  close: () => Promise<void>;
}

export interface TestRouterOptions extends Partial<RouterSettings> {
  accessLog?: AccessLogSink;
  platformCert?: PemPair;
  openKey?: (sealed: string) => string;
}

/** The router wired as a worker wires it, on 127.0.0.1 and random ports, synced once. */
export async function startRouter(store: RouteStore, options: TestRouterOptions = {}): Promise<TestRouter> {
  const { accessLog, platformCert, openKey, ...overrides } = options;
  const settings: RouterSettings = {
    ...testConfig(),
    host: '127.0.0.1',
    port: 0,
    tlsPort: 0,
    domain: 'paas.test',
    resyncMs: 60_000,
    timeoutMs: 5000,
    ...overrides,
  };
  const instance = new RouterInstance({ settings, store, logger: quietLogger(), accessLog, platformCert, openKey, retryMs: 50 });
  const { port, tlsPort } = await instance.start();
  return {
    port,
    tlsPort,
    table: instance.table,
    sync: instance.sync,
    instance,
    close: () => instance.stop(0),
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

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One request to the router on a fresh connection. */
export function request(
  port: number,
  host: string,
  options: { path?: string; method?: string; headers?: http.OutgoingHttpHeaders; body?: string; timeoutMs?: number } = {},
): Promise<Reply> {
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
    req.setTimeout(options.timeoutMs ?? 20_000, () => req.destroy(new Error(`no answer from the router within ${options.timeoutMs ?? 20_000} ms`)));
    req.on('error', reject);
    req.end(options.body);
  });
}

export function json(reply: Reply): Record<string, unknown> {
  return JSON.parse(reply.body) as Record<string, unknown>;
}

/** A raw backend: reads the request head, answers 101, then echoes every byte it gets. */
export async function echoUpgradeBackend(): Promise<{ port: number; heads: string[]; close: () => Promise<void> }> {
  const heads: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    let buffered: Buffer = Buffer.alloc(0);
    const onData = (data: Buffer): void => {
      buffered = Buffer.concat([buffered, data]);
      const end = buffered.indexOf('\r\n\r\n');
      if (end === -1) return;
      socket.off('data', onData);
      heads.push(buffered.subarray(0, end).toString());
      socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\nX-Backend: raw\r\n\r\n');
      const rest = buffered.subarray(end + 4);
      if (rest.length) socket.write(rest);
      socket.pipe(socket);
    };
    socket.on('data', onData);
    socket.on('error', () => {});
  });
  const port = await listen(server);
  return {
    port,
    heads,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

