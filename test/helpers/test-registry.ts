/**
 * An embedded registry for tests and benchmarks (the real `docker-registry` with the config paas
 * writes, TLS under a fresh paas CA, basic auth). It runs in a container on the Docker-in-Docker
 * hosts' network `paas-dind` (this machine's binary, bind-mounted): the hosts reach it by its
 * container name there, while this machine's own traffic from `paas*` bridges is cut by paas's host
 * firewall. This machine's engine pushes to it at 127.0.0.1:<port> (published on loopback only,
 * where Docker skips the certificate check); hosts pull at <name>:5000 with the CA installed in
 * their /etc/docker/certs.d.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import Docker from 'dockerode';
import { createLogger, ImageRegistry } from '@paas/shared';
import { freePort } from '@paas/test-kit';
import { createCa, PlatformCa } from '../../apps/controller/src/pki/platform-ca.js';
import { EmbeddedRegistry } from '../../apps/controller/src/registry/embedded-registry.js';
import type { DindHost } from './dind.js';

export interface TestRegistry {
  server: EmbeddedRegistry;
  ca: PlatformCa;
  /** Its port on this machine's loopback. */
  port: number;
  /** Its container's name: hosts reach it at `<name>:5000`. */
  name: string;
  /** A client as the platform configures it: push at 127.0.0.1:port, hosts pull at name:5000. */
  registry: ImageRegistry;
  /** Makes a host trust the registry (its CA in /etc/docker/certs.d/<name:5000>/ca.crt). */
  trust(host: DindHost): Promise<void>;
  close(): Promise<void>;
}

/** Starts one (call after starting a Docker-in-Docker host, which creates the paas-dind network). */
export async function startTestRegistry(): Promise<TestRegistry> {
  const dir = await mkdtemp(join(tmpdir(), 'paas-registry-'));
  const name = `paas-test-registry-${randomBytes(3).toString('hex')}`;
  const port = await freePort();
  const ca = new PlatformCa(await createCa('paas test CA'));
  const server = await ca.issueServer([name, '127.0.0.1', 'localhost']);
  const certFile = join(dir, 'server.crt');
  const keyFile = join(dir, 'server.key');
  await writeFile(certFile, server.cert, { mode: 0o600 });
  await writeFile(keyFile, server.key, { mode: 0o600 });
  const username = 'paas';
  const password = randomBytes(12).toString('hex');
  const htpasswdFile = join(dir, 'htpasswd');
  await writeFile(htpasswdFile, `${username}:${bcrypt.hashSync(password, 8)}\n`, { mode: 0o600 });
  const mounts = ['-v', `${dir}:${dir}`, '-v', '/usr/bin/docker-registry:/usr/bin/docker-registry:ro'];
  const embedded = new EmbeddedRegistry({
    bin: '/usr/bin/docker-registry',
    dir,
    listen: '0.0.0.0:5000',
    probeAddress: `127.0.0.1:${port}`,
    tls: { certFile, keyFile },
    htpasswdFile,
    launch: (args, role) => ({
      command: 'docker',
      args:
        role === 'serve'
          ? ['run', '--rm', '--name', name, '--label', 'paas.role=test-registry', '--network', 'paas-dind', '-p', `127.0.0.1:${port}:5000`, ...mounts, 'paas/debian:bookworm', '/usr/bin/docker-registry', ...args]
          : ['run', '--rm', '--name', `${name}-gc`, '--label', 'paas.role=test-registry', '--network', 'none', ...mounts, 'paas/debian:bookworm', '/usr/bin/docker-registry', ...args],
    }),
    log: createLogger('test-registry', 'warn'),
  });
  const cleanup = async (): Promise<void> => {
    await embedded.stop();
    await new Docker().getContainer(name).remove({ force: true }).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await embedded.start();
  } catch (err) {
    await cleanup();
    throw err;
  }
  const registry = new ImageRegistry({
    address: `127.0.0.1:${port}`,
    hostsAddress: `${name}:5000`,
    scheme: 'https',
    username,
    password,
    ca: ca.cert,
  });
  return {
    server: embedded,
    ca,
    port,
    name,
    registry,
    trust: (host) => installRegistryCa(host, `${name}:5000`, ca.cert),
    close: cleanup,
  };
}

/** Writes `ca` to /etc/docker/certs.d/<address>/ca.crt inside a Docker-in-Docker host (dockerd reads it per pull). */
export async function installRegistryCa(host: DindHost, address: string, ca: string): Promise<void> {
  const container = new Docker().getContainer(`paas-host-${host.name}`);
  const exec = await container.exec({
    Cmd: ['sh', '-c', 'mkdir -p "/etc/docker/certs.d/$ADDRESS" && printf "%s" "$CA" > "/etc/docker/certs.d/$ADDRESS/ca.crt"'],
    Env: [`ADDRESS=${address}`, `CA=${ca}`],
    AttachStdout: true,
    AttachStderr: true,
  });
  const stream = await exec.start({});
  await new Promise((resolve) => {
    stream.on('end', resolve);
    stream.resume();
  });
  const { ExitCode } = await exec.inspect();
  if (ExitCode !== 0) throw new Error(`installing the registry CA on ${host.name} exited with ${ExitCode}`);
}
