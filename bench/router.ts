/**
 * The router next to nginx. Throughput: the same tiny node backend served directly, through nginx
 * (Debian's package, keep-alive upstream, as many worker processes as the router has workers) and
 * through the paas router, each under `wrk` for a bounded time, interleaved over several rounds; the
 * medians are reported. Route updates: a steady load while the upstream is switched between two
 * backends 100 times, through `RouteStore.set` for the router and a rewritten upstream plus
 * `nginx -s reload` for nginx. Everything shares this machine's cores, so compare the rows rather
 * than the absolutes.
 */
import { execFile, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { RedisKeys, RedisRouteStore, type AppRoute } from '@paas/shared';
import { ensureTools, freePort, median, root, startChild, stop, treeCpuMs, wrk, type WrkResult } from './bench-processes.js';
import { measureSwitches, switchRow } from './route-switch.js';

const run = promisify(execFile);
const host = 'bench.localhost';

export interface RouterBenchOptions {
  /** Interleaved rounds of wrk per target. */
  rounds?: number;
  /** wrk's duration per run, e.g. `5s`. */
  duration?: string;
  /** Route switches under load per proxy. */
  switches?: number;
  /** Router workers and nginx worker processes (default: available parallelism). */
  workers?: number;
}

export interface RouterBenchResult {
  /** The BENCHMARKS.md section; its last two lines are `ratioLine` (one ratio per codec). */
  markdown: string;
  ratioLine: string;
}

interface Target {
  name: string;
  port: number;
  /** The process (with its workers) serving the target. */
  pid: number;
  runs: (WrkResult & { cpuUsPerRequest: number })[];
}

/** The section for BENCHMARKS.md (used by bench/run.ts). */
export async function benchRouter(): Promise<string> {
  return (await runRouterBench()).markdown;
}

export async function runRouterBench(options: RouterBenchOptions = {}): Promise<RouterBenchResult> {
  ensureTools();
  const rounds = options.rounds ?? 3;
  const duration = options.duration ?? '5s';
  const switches = options.switches ?? 100;
  const workers = options.workers ?? availableParallelism();
  const wrkArgs = ['-t2', '-c50', `-d${duration}`];
  const redisUrl = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
  const prefix = `paas-bench-${randomBytes(4).toString('hex')}`;
  const children: ChildProcess[] = [];
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  const dir = await mkdtemp(join(tmpdir(), 'paas-bench-router-'));
  try {
    const [portA, portB, routerPort, routerTlsPort, nodeRouterPort, nodeRouterTlsPort, nginxPort, loggedPort] = (await Promise.all(
      Array.from({ length: 8 }, () => freePort()),
    )) as [number, number, number, number, number, number, number, number];
    const backend = (port: number, name: string): Promise<ChildProcess> =>
      startChild(`backend ${name}`, process.execPath, ['--import', 'tsx', join(root, 'bench/router-backend.ts'), String(port), name], {}, port);
    const backendA = await backend(portA, 'A');
    children.push(backendA, await backend(portB, 'B'));

    const store = new RedisRouteStore(redis, new RedisKeys(prefix));
    let version = 1;
    const route = (port: number, name: string): AppRoute => ({
      app: 'bench',
      domains: [host],
      backends: [{ process: 'web.1', container: name, host: '127.0.0.1', port }],
      release: 1,
      version: version++,
    });
    await store.set(route(portA, 'A'));
    const routerEnv = (codec: 'native' | 'node', port: number, tlsPort: number): Record<string, string> => ({
      PAAS_ROUTER_PARSER: codec,
      PAAS_ROUTER_PORT: String(port),
      PAAS_ROUTER_TLS_PORT: String(tlsPort),
      // No internal listener: its fixed default port may be taken (and two routers run here).
      PAAS_ROUTER_INTERNAL_PORT: '0',
      PAAS_ROUTER_HOST: '127.0.0.1',
      PAAS_ROUTER_WORKERS: String(workers),
      REDIS_URL: redisUrl,
      PAAS_REDIS_PREFIX: prefix,
      LOG_LEVEL: 'warn',
    });
    // The build the platform runs (node apps/router/dist/main.js): `npm run bench` builds first. One
    // router per HTTP/1.1 codec (PAAS_ROUTER_PARSER); the route switches go through the native one.
    const routerProcess = await startChild('router (native codec)', process.execPath, [join(root, 'apps/router/dist/main.js')], routerEnv('native', routerPort, routerTlsPort), routerPort);
    children.push(routerProcess);
    const nodeRouterProcess = await startChild('router (node codec)', process.execPath, [join(root, 'apps/router/dist/main.js')], routerEnv('node', nodeRouterPort, nodeRouterTlsPort), nodeRouterPort);
    children.push(nodeRouterProcess);
    if (!(await store.waitForAck('bench', version - 1, 20_000))) throw new Error('the router did not pick up the benchmark route');

    const conf = join(dir, 'nginx.conf');
    await writeFile(conf, nginxConf(dir, nginxPort, portA, workers));
    const nginxProcess = await startChild('nginx', 'nginx', ['-p', dir, '-c', conf, '-e', join(dir, 'error.log')], {}, nginxPort);
    children.push(nginxProcess);
    // The same, writing an access line per request to a file, as Debian's nginx.conf does (the router writes one too).
    const loggedDir = join(dir, 'logged');
    await mkdir(loggedDir);
    const loggedConf = join(loggedDir, 'nginx.conf');
    await writeFile(loggedConf, nginxConf(loggedDir, loggedPort, portA, workers, true));
    const loggedProcess = await startChild('nginx (access log)', 'nginx', ['-p', loggedDir, '-c', loggedConf, '-e', join(loggedDir, 'error.log')], {}, loggedPort);
    children.push(loggedProcess);

    // Throughput, interleaved: each round runs every target once, in a rotating order.
    const targets: Target[] = [
      { name: 'direct (the backend alone)', port: portA, pid: backendA.pid!, runs: [] },
      { name: `nginx (${workers} worker processes, keep-alive upstream)`, port: nginxPort, pid: nginxProcess.pid!, runs: [] },
      { name: `nginx with an access log (a line per request to a file, Debian's default)`, port: loggedPort, pid: loggedProcess.pid!, runs: [] },
      { name: `paas router (${workers} workers, native codec)`, port: routerPort, pid: routerProcess.pid!, runs: [] },
      { name: `paas router (${workers} workers, node codec)`, port: nodeRouterPort, pid: nodeRouterProcess.pid!, runs: [] },
    ];
    const routerTargets = targets.slice(3);
    // Warm-up: JIT (in each router worker), connection pools.
    for (const t of targets) await wrk(t.port, host, ['-t2', '-c50', routerTargets.includes(t) ? '-d6s' : '-d2s']);
    for (let round = 0; round < rounds; round++) {
      for (let k = 0; k < targets.length; k++) {
        const t = targets[(round + k) % targets.length]!;
        const cpuBefore = treeCpuMs(t.pid);
        const result = await wrk(t.port, host, wrkArgs);
        const cpuUsPerRequest = ((treeCpuMs(t.pid) - cpuBefore) * 1000) / result.requests;
        t.runs.push({ ...result, cpuUsPerRequest });
        console.error(`  round ${round + 1}: ${t.name}: ${Math.round(result.rps)} req/s, ${cpuUsPerRequest.toFixed(1)} µs CPU/request`);
      }
    }

    // Route updates under load.
    const ports: Record<string, number> = { A: portA, B: portB };
    const routerSwitch = await measureSwitches(routerPort, host, ['A', 'B'], switches, async (to) => {
      const r = route(ports[to]!, to);
      const started = performance.now();
      await store.set(r);
      return (await store.waitForAck('bench', r.version, 5000)) ? performance.now() - started : undefined;
    });
    console.error(`  router switches: median ${median(routerSwitch.latencies).toFixed(1)} ms, ${routerSwitch.failed} failed`);
    const nginxSwitch = await measureSwitches(nginxPort, host, ['A', 'B'], switches, async (to) => {
      await writeFile(conf, nginxConf(dir, nginxPort, ports[to]!, workers));
      await run('nginx', ['-p', dir, '-c', conf, '-e', join(dir, 'error.log'), '-s', 'reload']);
      return undefined;
    });
    console.error(`  nginx reloads: median ${median(nginxSwitch.latencies).toFixed(1)} ms, ${nginxSwitch.failed} failed`);

    const [direct, nginx, logged, router, nodeRouter] = targets.map(summary) as [Summary, Summary, Summary, Summary, Summary];
    const ratioOf = (codec: string, r: Summary): string =>
      `router/nginx req/s ratio (${codec} codec): ${(r.rps / nginx.rps).toFixed(2)} (router ${Math.round(r.rps)} req/s p99 ${r.p99.toFixed(2)} ms, ` +
      `nginx ${Math.round(nginx.rps)} req/s p99 ${nginx.p99.toFixed(2)} ms, direct ${Math.round(direct.rps)} req/s)`;
    const ratioLine = `${ratioOf('native', router)}\n${ratioOf('node', nodeRouter)}`;
    const nginxVersion = spawnSync('nginx', ['-v'], { encoding: 'utf8' }).stderr.trim().replace('nginx version: ', '') || 'nginx';
    const markdown = [
      '## Router',
      '',
      `The same node backend (a 23-byte text answer) served directly, through ${nginxVersion} and through the paas router, ` +
        `\`wrk ${wrkArgs.join(' ')}\` with \`Host: ${host}\` over keep-alive connections; ${rounds} interleaved rounds, medians shown. ` +
        `The router runs ${workers} cluster workers (PAAS_ROUTER_WORKERS), nginx ${workers} worker processes with a keep-alive upstream; ` +
        `the router runs as the platform runs it (\`node apps/router/dist/main.js\`), once per HTTP/1.1 codec (\`PAAS_ROUTER_PARSER=native\`: node's parser driven directly; \`node\`: public APIs only, the router's own request-head and response parsers on net sockets, node's http server for anything else) and writes an access line per request to the app's Redis stream (LOG_LEVEL=warn, so none to its own log). ` +
        `CPU per request is the user + system time of the target's processes (the router's primary and workers, nginx's master and workers) over a run, divided by the requests served: unlike req/s it hardly depends on what else the machine is doing. ` +
        `wrk, the proxies and the backend share this machine's ${cpus().length} cores: compare the rows rather than the absolutes.`,
      '',
      '| target | req/s | vs. direct | p50 (ms) | p99 (ms) | errors | CPU per request (µs) | req/s per round |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
      ...[direct, nginx, logged, router, nodeRouter].map(
        (s) =>
          `| ${s.name} | ${Math.round(s.rps)} | ${Math.round((s.rps / direct.rps) * 100)}% | ${s.p50.toFixed(2)} | ${s.p99.toFixed(2)} | ${s.errors} | ${s.cpuUs.toFixed(1)} | ${s.rounds.map(Math.round).join(', ')} |`,
      ),
      '',
      `### Route updates under load`,
      '',
      `Eight keep-alive clients request continuously while the app's only backend is switched between two ${switches} times. ` +
        'For the router a switch is the controller\'s `RouteStore.set` (Redis hash + pub/sub; every worker applies it); for nginx the upstream ' +
        'is rewritten in its configuration and `nginx -s reload` runs. Latency is from the switch to the first response from the new backend; ' +
        'a failed request is an error or a non-200 answer seen by a client (nginx\'s old workers close their keep-alive connections on reload).',
      '',
      '| proxy | median ms to the new backend | p99 ms | max ms | failed requests | notes |',
      '| --- | ---: | ---: | ---: | ---: | --- |',
      switchRow('paas router (RouteStore.set)', routerSwitch, switches, routerSwitch.extra.length ? `acknowledged by all workers after ${median(routerSwitch.extra).toFixed(1)} ms (median)` : ''),
      switchRow('nginx (rewrite + nginx -s reload)', nginxSwitch, switches),
      '',
      `CPU per request, router/nginx: ${(router.cpuUs / nginx.cpuUs).toFixed(2)} with the native codec, ${(nodeRouter.cpuUs / nginx.cpuUs).toFixed(2)} with the node codec ` +
        `(router ${router.cpuUs.toFixed(1)} µs and ${nodeRouter.cpuUs.toFixed(1)} µs, nginx ${nginx.cpuUs.toFixed(1)} µs). ` +
        `Against nginx writing an access line per request too: req/s ratio ${(router.rps / logged.rps).toFixed(2)} (native) and ${(nodeRouter.rps / logged.rps).toFixed(2)} (node), ` +
        `p99 ${router.p99.toFixed(2)} and ${nodeRouter.p99.toFixed(2)} ms against ${logged.p99.toFixed(2)} ms. ` +
        'The ratios below are against nginx without an access log (targets: native >= 0.8, node >= 0.6).',
      '',
      ratioLine,
      '',
    ].join('\n');
    return { markdown, ratioLine };
  } finally {
    for (const child of children.reverse()) await stop(child);
    const left = await redis.keys(`${prefix}:*`).catch(() => []);
    if (left.length) await redis.del(...left).catch(() => 0);
    redis.disconnect();
    await rm(dir, { recursive: true, force: true });
  }
}

interface Summary {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /** CPU time of the target's processes per request served (median over the rounds). */
  cpuUs: number;
  rounds: number[];
}

function summary(t: Target): Summary {
  return {
    name: t.name,
    rps: median(t.runs.map((r) => r.rps)),
    p50: median(t.runs.map((r) => r.p50)),
    p99: median(t.runs.map((r) => r.p99)),
    cpuUs: median(t.runs.map((r) => r.cpuUsPerRequest)),
    errors: t.runs.reduce((n, r) => n + r.errors, 0),
    rounds: t.runs.map((r) => r.rps),
  };
}

function nginxConf(dir: string, port: number, backendPort: number, workers: number, accessLog = false): string {
  return `daemon off;
worker_processes ${workers};
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log ${accessLog ? `${dir}/access.log` : 'off'};
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
