import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { healthCheckSchema } from '../../deploy/health-checks.js';
import { drainShim, healthCheckOf, monitorSeconds, runImageEntrypoint, serviceName, serviceSpec, templateLiteral, type SwarmServiceContext, type SwarmServiceRequest } from './swarm-service-spec.js';

const req = (over: Partial<SwarmServiceRequest> = {}): SwarmServiceRequest => ({
  app: 'shop',
  release: 7,
  type: 'web',
  replicas: 3,
  image: 'paas/shop:7',
  command: 'node server.js',
  env: { GREETING: 'hi' },
  port: 5000,
  publish: true,
  memoryMb: 256,
  cpus: 0.5,
  checks: [],
  bootTimeoutSeconds: 60,
  gated: true,
  ...over,
});

const ctx = (over: Partial<SwarmServiceContext> = {}): SwarmServiceContext => ({
  cluster: 'local',
  network: 'paas-local-app-shop',
  pidsLimit: 512,
  userOverride: '10000:10000',
  exceptions: undefined,
  entrypoint: [runImageEntrypoint],
  drainSeconds: 5,
  stopGraceSeconds: 10,
  restartDelaySeconds: 2,
  healthIntervalSeconds: 2,
  ...over,
});

/* eslint-disable @typescript-eslint/no-explicit-any */
const container = (spec: ReturnType<typeof serviceSpec>): any => (spec.TaskTemplate as any).ContainerSpec;

test('a process type is the service <app>-<type>, labelled with its app, type and release, rolled start-first with rollback', () => {
  const spec = serviceSpec(req(), ctx());
  assert.equal(spec.Name, 'shop-web');
  assert.deepEqual(
    Object.fromEntries(Object.entries(spec.Labels!).filter(([k]) => ['paas.app', 'paas.process', 'paas.release', 'paas.cluster', 'paas.role'].includes(k))),
    { 'paas.app': 'shop', 'paas.process': 'web', 'paas.release': '7', 'paas.cluster': 'local', 'paas.role': 'process' },
  );
  assert.deepEqual(spec.Mode, { Replicated: { Replicas: 3 } });
  assert.equal(spec.UpdateConfig?.Order, 'start-first');
  assert.equal(spec.UpdateConfig?.FailureAction, 'rollback');
  assert.equal(spec.RollbackConfig?.Order, 'start-first');
  assert.deepEqual(spec.EndpointSpec, { Mode: 'dnsrr', Ports: [{ Protocol: 'tcp', TargetPort: 5000, PublishMode: 'host' }] });
  assert.equal(container(spec).Labels['paas.role'], 'swarm-task', 'its containers are not a docker-hosts runtime\'s processes');
});

test('the hardening and limits reach the task: no capability, a non-root user, a PID limit, memory and CPU, its own network', () => {
  const spec = serviceSpec(req(), ctx());
  const c = container(spec);
  assert.deepEqual(c.CapabilityDrop, ['ALL']);
  assert.equal(c.CapabilityAdd, undefined);
  assert.equal(c.User, '10000:10000');
  assert.deepEqual(c.Mounts, []);
  assert.equal(c.Init, true);
  assert.deepEqual(c.Sysctls, { 'net.ipv4.ip_unprivileged_port_start': '0' });
  const t = spec.TaskTemplate as any;
  assert.deepEqual(t.Resources.Limits, { MemoryBytes: 256 * 1024 * 1024, NanoCPUs: 500_000_000, Pids: 512 });
  assert.deepEqual(t.Networks, [{ Target: 'paas-local-app-shop' }]);
  // The operator's exceptions, and only those, loosen it.
  const loose = container(serviceSpec(req(), ctx({ exceptions: { cap_add: ['NET_RAW'], pids_limit: 2048, image_user: true, no_new_privileges: false } })));
  assert.deepEqual(loose.CapabilityAdd, ['NET_RAW']);
  assert.equal(loose.User, undefined);
  assert.equal((serviceSpec(req(), ctx({ exceptions: { cap_add: [], pids_limit: 2048, image_user: false, no_new_privileges: true } })).TaskTemplate as any).Resources.Limits.Pids, 2048);
});

test('PORT and DYNO (from the task slot) are set, and config values are never Swarm templates', () => {
  const c = container(serviceSpec(req({ env: { A: '{{.Node.Hostname}}', B: 'x}}y' } }), ctx()));
  assert.ok(c.Env.includes('DYNO=web.{{.Task.Slot}}'));
  assert.ok(c.Env.includes('PORT=5000'));
  assert.ok(c.Env.includes('A={{"{{"}}.Node.Hostname}}'));
  assert.ok(c.Env.includes('B=x}}y'));
  assert.equal(templateLiteral('a{{b{{'), 'a{{"{{"}}b{{"{{"}}');
});

test('images of the run image get the drain shim and a health check; other images run as built, up once running', () => {
  const run = container(serviceSpec(req(), ctx()));
  assert.deepEqual(run.Command.slice(0, 2), ['/bin/bash', '-c']);
  assert.deepEqual(run.Command.slice(3), ['paas-drain', '5', runImageEntrypoint, 'node server.js']);
  assert.equal(run.StopGracePeriod, 15e9, 'the drain, then the grace');
  assert.ok(run.HealthCheck);
  const other = container(serviceSpec(req(), ctx({ entrypoint: ['/docker-entrypoint.sh'] })));
  assert.deepEqual(other.Args, ['node server.js']);
  assert.equal(other.Command, undefined);
  assert.equal(other.HealthCheck, undefined);
  assert.equal(other.StopGracePeriod, 10e9);
  // Not gated (single processes of the contract), and not web: no check, no drain.
  assert.equal(container(serviceSpec(req({ gated: false }), ctx())).HealthCheck, undefined);
  assert.deepEqual(container(serviceSpec(req({ type: 'worker', publish: false }), ctx())).Args, ['node server.js']);
});

test('service names are DNS-safe and at most 63 characters', () => {
  assert.equal(serviceName('shop', 'web'), 'shop-web');
  assert.equal(serviceName('shop', 'Run_1'), 'shop-run-1');
  const long = serviceName('a'.repeat(60), 'worker');
  assert.equal(long.length, 63);
  assert.notEqual(long, serviceName('a'.repeat(60), 'workers'));
});

test('uptime checks become the update monitor period', () => {
  assert.equal(monitorSeconds([]), 5);
  assert.equal(monitorSeconds([healthCheckSchema.parse({ uptime: 20 }), healthCheckSchema.parse({ path: '/up' })]), 20);
});

/** Runs a health check's command as Docker would, with bash, against a local server. */
async function runCheck(answer: (path: string) => [number, string], checks: unknown[]): Promise<{ ok: boolean; paths: string[] }> {
  const paths: string[] = [];
  const server = createServer((rq, rs) => {
    paths.push(rq.url ?? '');
    const [status, body] = answer(rq.url ?? '');
    rs.writeHead(status).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const h = healthCheckOf({ publish: true, checks: checks.map((c) => healthCheckSchema.parse(c)), bootTimeoutSeconds: 5 }, 1)!;
    const [, bash, ...args] = h.Test!;
    const port = (server.address() as AddressInfo).port;
    // Not execFileSync: the server answers from this process's event loop.
    const ok = await new Promise<boolean>((resolve) => execFile(bash!, args, { env: { PORT: String(port) }, timeout: 5000 }, (err) => resolve(!err)));
    return { ok, paths };
  } finally {
    server.close();
  }
}

test('the health check passes on any answer on $PORT, then on each path check with a 2xx and its content', async () => {
  assert.deepEqual(await runCheck(() => [500, 'oops'], []), { ok: true, paths: ['/'] }, 'any answer: the app is up');
  assert.equal((await runCheck((p) => (p === '/health' ? [200, 'all ok'] : [404, '']), [{ path: '/health', content: 'ok' }])).ok, true);
  assert.equal((await runCheck((p) => (p === '/health' ? [200, 'bad'] : [404, '']), [{ path: '/health', content: 'ok' }])).ok, false, 'content missing');
  assert.equal((await runCheck((p) => (p === '/health' ? [503, 'ok'] : [200, '']), [{ path: '/health', content: 'ok' }])).ok, false, 'not a 2xx');
  const odd = await runCheck(() => [200, ''], [{ path: '/a b\tc' }]);
  assert.equal(odd.ok, true);
  assert.deepEqual(odd.paths, ['/', '/a%20b%09c'], 'no whitespace reaches the request line');
});

test('nothing listening fails the health check', async () => {
  const h = healthCheckOf({ publish: true, checks: [], bootTimeoutSeconds: 5 }, 1)!;
  const [, bash, ...args] = h.Test!;
  assert.throws(() => execFileSync(bash!, args, { env: { PORT: '1' }, timeout: 5000, stdio: 'ignore' }));
});

test('the drain shim keeps the process for the drain period after SIGTERM, then passes it on and exits with its status', async () => {
  const { spawn } = await import('node:child_process');
  const child = spawn('bash', ['-c', drainShim, 'paas-drain', '1', 'bash', '-c', "trap 'echo term; exit 7' TERM; echo ready; while true; do sleep 0.1; done"]);
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  while (!out.includes('ready')) await new Promise((r) => setTimeout(r, 50));
  const sent = Date.now();
  child.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(out.includes('term'), false, 'still serving during the drain');
  const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  assert.equal(code, 7);
  assert.match(out, /term/);
  assert.ok(Date.now() - sent >= 1000);
});
