/**
 * Throughput and latency of the paas router next to nginx, both proxying to the same tiny node
 * backend over keep-alive connections, and of the backend alone as the baseline. Each target gets
 * `wrk -t2 -c50 -d10s` (after a short warm-up) with the app's Host header. Everything runs on this
 * machine, so wrk, the proxy and the backend share its cores: compare the rows, not the absolutes.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { RedisKeys, RedisRouteStore } from '@paas/shared';

const root = fileURLToPath(new URL('..', import.meta.url));
const host = 'bench.localhost';
const wrkArgs = ['-t2', '-c50', '-d10s'];

interface WrkResult {
  rps: number;
  p50: string;
  p99: string;
  errors: number;
}

export async function benchRouter(): Promise<string> {
  const redisUrl = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
  const prefix = `paas-bench-${randomBytes(4).toString('hex')}`;
  const children: ChildProcess[] = [];
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  const dir = await mkdtemp(join(tmpdir(), 'paas-bench-router-'));
  try {
    const [backendPort, routerPort, nginxPort] = [await freePort(), await freePort(), await freePort()];

    children.push(await startChild('backend', process.execPath, ['--import', 'tsx', join(root, 'bench/router-backend.ts'), String(backendPort)], {}, backendPort));

    const store = new RedisRouteStore(redis, new RedisKeys(prefix));
    await store.set({ app: 'bench', domains: [host], backends: [{ process: 'web.1', container: 'bench', host: '127.0.0.1', port: backendPort }], release: 1, version: 1 });
    const routerEnv = { PAAS_ROUTER_PORT: String(routerPort), PAAS_ROUTER_HOST: '127.0.0.1', REDIS_URL: redisUrl, PAAS_REDIS_PREFIX: prefix, LOG_LEVEL: 'warn' };
    children.push(await startChild('router', process.execPath, ['--conditions=development', '--import', 'tsx', join(root, 'apps/router/src/main.ts')], routerEnv, routerPort));
    if (!(await store.waitForAck('bench', 1, 10_000))) throw new Error('the router did not pick up the benchmark route');

    await writeFile(join(dir, 'nginx.conf'), nginxConf(dir, nginxPort, backendPort));
    children.push(await startChild('nginx', 'nginx', ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')], {}, nginxPort));

    const rows: [string, WrkResult][] = [];
    for (const [name, port] of [
      ['backend alone (baseline)', backendPort],
      ['paas router (node, 1 process)', routerPort],
      ['nginx (1 worker, keepalive upstream)', nginxPort],
    ] as const) {
      await wrk(port, ['-t2', '-c50', '-d2s']); // warm-up: JIT, connection pools
      rows.push([name, await wrk(port, wrkArgs)]);
    }
    return report(rows);
  } finally {
    for (const child of children.reverse()) await stop(child);
    const left = await redis.keys(`${prefix}:*`).catch(() => []);
    if (left.length) await redis.del(...left).catch(() => 0);
    redis.disconnect();
    await rm(dir, { recursive: true, force: true });
  }
}

function report(rows: [string, WrkResult][]): string {
  const nginxVersion = spawnSync('nginx', ['-v'], { encoding: 'utf8' }).stderr.trim().replace('nginx version: ', '') || 'nginx';
  const baseline = rows[0]?.[1].rps ?? 0;
  const lines = [
    '## Router',
    '',
    `\`wrk ${wrkArgs.join(' ')}\` with \`Host: ${host}\`, keep-alive, GET of a 23-byte body from a node http backend; ` +
      `${nginxVersion} and the paas router both proxy to it over pooled keep-alive connections. ` +
      `wrk, proxy and backend share this machine's ${cpus().length} cores, so compare the rows rather than the absolutes.`,
    '',
    '| target | req/s | vs. baseline | p50 | p99 | errors |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map(([name, r]) => `| ${name} | ${Math.round(r.rps)} | ${baseline ? `${Math.round((r.rps / baseline) * 100)}%` : '-'} | ${r.p50} | ${r.p99} | ${r.errors} |`),
    '',
  ];
  return lines.join('\n');
}

function nginxConf(dir: string, port: number, backendPort: number): string {
  return `daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream backend {
    server 127.0.0.1:${backendPort};
    keepalive 64;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
    }
  }
}
`;
}

/** Runs wrk against 127.0.0.1:port, killed if it overruns; parses req/s, p50, p99 and errors. */
function wrk(port: number, args: string[]): Promise<WrkResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', [...args, '--latency', '-H', `Host: ${host}`, `http://127.0.0.1:${port}/`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(killer);
      const rps = /Requests\/sec:\s+([\d.]+)/.exec(out)?.[1];
      if (code !== 0 || rps === undefined) return reject(new Error(`wrk failed (${code}):\n${out}`));
      const errors =
        Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0) +
        [...(/Socket errors:(.*)/.exec(out)?.[1] ?? '').matchAll(/(\d+)/g)].reduce((n, m) => n + Number(m[1]), 0);
      resolve({ rps: Number(rps), p50: /\s50%\s+(\S+)/.exec(out)?.[1] ?? '?', p99: /\s99%\s+(\S+)/.exec(out)?.[1] ?? '?', errors });
    });
  });
}

async function startChild(name: string, command: string, args: string[], env: Record<string, string>, port: number): Promise<ChildProcess> {
  const child = spawn(command, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const deadline = Date.now() + 15_000;
  while (!(await accepts(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} did not start:\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(killer);
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
