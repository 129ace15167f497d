/**
 * Starts a whole paas platform from the compiled sources (controller, builder, router as child
 * processes) against the real PostgreSQL (a fresh database), Redis (a fresh key prefix) and Docker
 * (containers labelled with a fresh cluster name), with its own PAAS_HOME and ports. Used by the
 * end-to-end tests and the benchmarks; `stop()` removes everything it made.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import http from 'node:http';
import { Redis } from 'ioredis';
import Docker from 'dockerode';
import { certKeyOf } from '@paas/shared';
import { createTestDatabase, type TestDatabase } from '../../apps/controller/src/db/test-database.js';
import { freePort, testRedisUrl } from '@paas/test-kit';

const exec = promisify(execFile);
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const paasBin = join(repoRoot, 'bin', 'paas');

export interface Platform {
  home: string;
  env: Record<string, string>;
  apiUrl: string;
  routerPort: number;
  cluster: string;
  /** Runs bin/paas with the platform's CLI config; never throws, returns the exit code and output. */
  paas(args: string[], opts?: { cwd?: string }): Promise<{ code: number; stdout: string; stderr: string }>;
  /** GET through the router with the app's host name. */
  get(app: string, path?: string): Promise<{ status: number; body: string }>;
  logs(): Promise<string>;
  /** A supervised component's pid, from its pid file. */
  pid(component: string): Promise<number | undefined>;
  stop(): Promise<void>;
}

/** GET through a router on `port` with `host` as the Host header (no keep-alive). */
export function httpGet(port: number, host: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, headers: { host }, agent: false, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

async function waitHealthy(what: string, check: () => Promise<boolean>, ms: number, logs: () => Promise<string>): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} did not become healthy:\n${await logs()}`);
}

/**
 * Starts a platform; `env` adds or overrides settings (e.g. faster host checks); `supervised` runs the
 * components under scripts/supervisor.mjs as `npm run up` does (pid files in $PAAS_HOME/run).
 */
export async function startPlatform(opts: { env?: Record<string, string>; supervised?: boolean } = {}): Promise<Platform> {
  const db: TestDatabase = await createTestDatabase();
  const home = await mkdtemp(join(tmpdir(), 'paas-e2e-'));
  const [apiPort, routerPort, builderPort] = [await freePort(), await freePort(), await freePort()];
  const cluster = `e2e-${randomBytes(3).toString('hex')}`;
  const prefix = `paas-test-${cluster}`;
  // The caller's environment (proxies, NODE_EXTRA_CA_CERTS for the builds' registry access) without
  // any platform or CLI settings of its own, then this platform's.
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined && !/^(PAAS_|DATABASE_URL$|REDIS_URL$)/.test(e[0])),
  );
  const env: Record<string, string> = {
    ...inherited,
    PAAS_HOME: home,
    PAAS_API_PORT: String(apiPort),
    PAAS_API_HOST: '127.0.0.1',
    PAAS_API_URL: `http://127.0.0.1:${apiPort}`,
    PAAS_ROUTER_PORT: String(routerPort),
    PAAS_ROUTER_HOST: '127.0.0.1',
    PAAS_ROUTER_TLS_PORT: String(await freePort()),
    PAAS_ROUTER_INTERNAL_PORT: String(await freePort()),
    PAAS_BUILDER_PORT: String(builderPort),
    PAAS_DOMAIN: 'localhost',
    DATABASE_URL: db.url,
    REDIS_URL: testRedisUrl(),
    PAAS_REDIS_PREFIX: prefix,
    PAAS_CLUSTER: cluster,
    PAAS_SECRET: randomBytes(32).toString('hex'),
    PAAS_STOP_GRACE: '2',
    // No default uptime check (Dokku's 10 s wait) unless a test asks: deploys here are timed in bench/.
    PAAS_DEFAULT_CHECKS_WAIT: '0',
    LOG_LEVEL: 'info',
    ...opts.env,
  };
  // The router gets the key for certificates only, never PAAS_SECRET (as npm run up gives it).
  const routerEnv: Record<string, string> = { ...env, PAAS_ROUTER_CERT_KEY: certKeyOf(env['PAAS_SECRET']!) };
  delete routerEnv['PAAS_SECRET'];
  await mkdir(join(home, 'env'), { recursive: true });
  await writeFile(join(home, 'env', 'router.env'), `-PAAS_SECRET\nPAAS_ROUTER_CERT_KEY=${routerEnv['PAAS_ROUTER_CERT_KEY']}\n`, { mode: 0o600 });
  const children: ChildProcess[] = [];
  const output: Record<string, string> = { controller: '', builder: '', router: '' };
  const logs = async (): Promise<string> => {
    if (opts.supervised) {
      for (const c of ['controller', 'builder', 'router']) output[c] = await readFile(join(home, 'logs', `${c}.log`), 'utf8').catch(() => '');
    }
    return Object.entries(output)
      .map(([k, v]) => `--- ${k} ---\n${v.split('\n').slice(-40).join('\n')}`)
      .join('\n');
  };
  if (opts.supervised) {
    // One child: scripts/supervisor.mjs, which starts the components (their output in $PAAS_HOME/logs).
    const args = ['controller', 'builder', 'router'].map((c) => `${c}=${join(repoRoot, 'apps', c, 'dist', 'main.js')}`);
    const child = spawn(process.execPath, [join(repoRoot, 'scripts', 'supervisor.mjs'), '--backoff', '200', '--grace', '8000', ...args], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    output['supervisor'] = '';
    const keep = (b: Buffer): void => {
      output['supervisor'] = (output['supervisor']! + b.toString()).slice(-100_000);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    children.push(child);
  } else {
    for (const c of ['controller', 'builder', 'router']) {
      const child = spawn(process.execPath, [join(repoRoot, 'apps', c, 'dist', 'main.js')], { env: c === 'router' ? routerEnv : env, stdio: ['ignore', 'pipe', 'pipe'] });
      const keep = (b: Buffer): void => {
        output[c] = (output[c]! + b.toString()).slice(-200_000);
      };
      child.stdout!.on('data', keep);
      child.stderr!.on('data', keep);
      children.push(child);
    }
  }
  const platform: Platform = {
    home,
    env,
    apiUrl: env['PAAS_API_URL']!,
    routerPort,
    cluster,
    async paas(args, opts = {}) {
      return new Promise((resolve) => {
        execFile(paasBin, args, { cwd: opts.cwd ?? home, env: { ...env, GIT_TERMINAL_PROMPT: '0' }, timeout: 600_000 }, (err, stdout, stderr) => {
          const code = err ? ((err as { code?: number }).code ?? 1) : 0;
          resolve({ code: typeof code === 'number' ? code : 1, stdout, stderr });
        });
      });
    },
    get: (app, path = '/') => httpGet(routerPort, `${app}.localhost`, path),
    logs,
    async pid(component) {
      const n = Number((await readFile(join(home, 'run', `${component}.pid`), 'utf8').catch(() => '')).trim());
      return n > 0 ? n : undefined;
    },
    async stop() {
      for (const child of children) child.kill('SIGTERM');
      await Promise.all(
        children.map(
          (c) =>
            new Promise<void>((r) => {
              if (c.exitCode !== null) return r();
              const t = setTimeout(() => {
                c.kill('SIGKILL');
                r();
              }, 10_000);
              c.on('exit', () => {
                clearTimeout(t);
                r();
              });
            }),
        ),
      );
      const docker = new Docker();
      const labels = { label: [`paas.cluster=${cluster}`] };
      for (const c of await docker.listContainers({ all: true, filters: labels })) await docker.getContainer(c.Id).remove({ force: true }).catch(() => {});
      // A few passes: an image whose child (a slug on a layer image) comes later in the list is removed on the next one.
      for (let pass = 0; pass < 3; pass++) {
        for (const i of await docker.listImages({ filters: labels })) await docker.getImage(i.Id).remove({ force: true }).catch(() => {});
      }
      for (const v of (await docker.listVolumes({ filters: labels })).Volumes ?? []) await docker.getVolume(v.Name).remove().catch(() => {});
      for (const n of await docker.listNetworks({ filters: labels })) await docker.getNetwork(n.Id).remove().catch(() => {});
      const redis = new Redis(testRedisUrl());
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
      await db.drop();
      await rm(home, { recursive: true, force: true });
    },
  };
  try {
    await waitHealthy('controller', async () => (await fetch(`${platform.apiUrl}/health`)).ok, 60_000, logs);
    await waitHealthy('builder', async () => (await fetch(`http://127.0.0.1:${builderPort}/healthz`)).ok, 60_000, logs);
    await waitHealthy('router', async () => (await httpGet(routerPort, 'localhost', '/healthz')).status === 200, 60_000, logs);
    await exec(process.execPath, [join(repoRoot, 'apps/controller/dist/bootstrap-admin.js')], { env });
    JSON.parse(await readFile(join(home, 'cli.json'), 'utf8'));
  } catch (err) {
    await platform.stop();
    throw err;
  }
  return platform;
}

/** Makes a git repository from files, committed on main. */
export async function gitRepo(dir: string, message = 'initial'): Promise<string> {
  const git = (...args: string[]) => exec('git', args, { cwd: dir });
  await git('init', '--quiet', '--initial-branch=main');
  return commitAll(dir, message);
}

export async function commitAll(dir: string, message: string): Promise<string> {
  const git = (...args: string[]) => exec('git', args, { cwd: dir });
  await git('add', '-A');
  await git('-c', 'user.name=paas test', '-c', 'user.email=test@example.com', 'commit', '--quiet', '-m', message);
  return (await git('rev-parse', 'HEAD')).stdout.trim();
}

/** `git push paas main` with the platform's environment; never throws. */
export function gitPush(platform: Platform, dir: string, args: string[] = []): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('git', ['push', ...args, 'paas', 'main'], {
      cwd: dir,
      env: { ...platform.env, GIT_TERMINAL_PROMPT: '0' },
    });
    let output = '';
    child.stdout.on('data', (b: Buffer) => (output += b.toString()));
    child.stderr.on('data', (b: Buffer) => (output += b.toString()));
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}
