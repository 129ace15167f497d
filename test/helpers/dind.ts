/**
 * Extra Docker hosts for tests and benchmarks: Docker-in-Docker containers started with
 * scripts/dind-host.sh, each with its own engine (`docker`), URL and the address where its
 * published ports are reachable from this machine. Every run gets unique host names and its own
 * state directory; `removeDindHosts` (or each host's `remove()`) deletes containers and state.
 *
 *   const hosts = await startDindHosts(2, 'sched');
 *   try { … } finally { await removeDindHosts(hosts); }
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Docker from 'dockerode';

const script = fileURLToPath(new URL('../../scripts/dind-host.sh', import.meta.url));

export interface DindHost {
  name: string;
  /** `tcp://<address>:2375`, for DOCKER_HOST or `paas hosts:add --docker`. */
  dockerUrl: string;
  /** Where ports published on this host are reachable from this machine (fixed for the host's life). */
  address: string;
  /** The engine's state directory on this machine (PAAS_HOME/hosts/<name>/docker). */
  stateDir: string;
  docker: Docker;
  /** SIGKILL the host and everything on it: a lost host. */
  kill(): Promise<void>;
  /** Graceful stop; state is kept. */
  stop(): Promise<void>;
  /** Starts a stopped or killed host again (same address and state) and waits for its engine. */
  start(): Promise<void>;
  /** Removes the container and its state; safe to call twice. */
  remove(): Promise<void>;
}

/**
 * An entrypoint for paas/run:bookworm (no app image needed) that answers every HTTP request on
 * $PORT with "hello from $NAME" (busybox httpd); SIGTERM stops it at once.
 */
export const helloServerEntrypoint = [
  'sh',
  '-c',
  'trap "exit 0" TERM; mkdir -p /tmp/www && printf "hello from %s\\n" "$NAME" > /tmp/www/index.html && httpd -f -p "$PORT" -h /tmp/www & wait',
];

function run(home: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('bash', [script, ...args], { env: { ...process.env, PAAS_HOME: home } }, (err, stdout, stderr) => {
      if (err) reject(new Error(`dind-host.sh ${args.join(' ')} failed: ${stderr.trim() || err.message}`));
      else resolve(stdout);
    });
  });
}

/** Starts one host; `home` is the PAAS_HOME whose hosts/<name>/ holds its state. */
export async function startDindHost(name: string, home: string): Promise<DindHost> {
  const line = (await run(home, ['start', name])).trim();
  const [, dockerUrl, address] = line.split(' ');
  if (!dockerUrl || !address) throw new Error(`dind-host.sh start ${name}: unexpected output ${JSON.stringify(line)}`);
  let removed = false;
  return {
    name,
    dockerUrl,
    address,
    stateDir: join(home, 'hosts', name, 'docker'),
    docker: new Docker({ protocol: 'http', host: address, port: 2375 }),
    kill: async () => void (await run(home, ['kill', name])),
    stop: async () => void (await run(home, ['stop', name])),
    start: async () => {
      const again = (await run(home, ['start', name])).trim();
      if (again !== line) throw new Error(`host ${name} came back as ${JSON.stringify(again)}, was ${JSON.stringify(line)}`);
    },
    remove: async () => {
      if (removed) return;
      await run(home, ['rm', name]);
      removed = true;
    },
  };
}

/**
 * Starts `n` hosts named `<prefix>-<run id>-<i>` in parallel, with their state in a fresh
 * temporary PAAS_HOME, removed with the run's last host. If one fails, the others are removed.
 */
export async function startDindHosts(n: number, prefix = 'test'): Promise<DindHost[]> {
  const home = await mkdtemp(join(tmpdir(), 'paas-dind-'));
  const runId = randomBytes(3).toString('hex');
  const names = Array.from({ length: n }, (_, i) => `${prefix}-${runId}-${i + 1}`);
  const started = await Promise.allSettled(names.map((name) => startDindHost(name, home)));
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.allSettled(names.map((name) => run(home, ['rm', name])));
    await rm(home, { recursive: true, force: true });
    throw failed.reason;
  }
  const hosts = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const left = new Set(names);
  return hosts.map((host) => ({
    ...host,
    remove: async () => {
      await host.remove();
      left.delete(host.name);
      if (left.size === 0) await rm(home, { recursive: true, force: true });
    },
  }));
}

/** Removes every host (containers and state) and the run's PAAS_HOME. */
export async function removeDindHosts(hosts: DindHost[]): Promise<void> {
  const results = await Promise.allSettled(hosts.map((h) => h.remove()));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/**
 * Runs the hello server from paas/run:bookworm on a host (the image must be there already, see
 * transferImage) with its port published on all of the host's addresses; returns its URL as seen
 * from this machine once it answers.
 */
export async function runHelloServer(host: DindHost, name: string): Promise<string> {
  const container = await host.docker.createContainer({
    name,
    Image: 'paas/run:bookworm',
    Entrypoint: helloServerEntrypoint,
    Env: ['PORT=8000', `NAME=${name}`],
    ExposedPorts: { '8000/tcp': {} },
    HostConfig: { PortBindings: { '8000/tcp': [{ HostIp: '0.0.0.0', HostPort: '' }] } },
  });
  await container.start();
  const info = await container.inspect();
  const port = info.NetworkSettings.Ports['8000/tcp']?.[0]?.HostPort;
  if (!port) throw new Error(`${name} on ${host.name}: no published port`);
  const url = `http://${host.address}:${port}/`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    const answer = await fetch(url, { signal: AbortSignal.timeout(1000) }).then((r) => r.text(), () => undefined);
    if (answer !== undefined) return url;
    if (Date.now() > deadline) throw new Error(`${name} on ${host.name} does not answer at ${url}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
