import type { DockerOptions } from 'dockerode';

/**
 * dockerode options from a DOCKER_HOST-style URL: `unix:///var/run/docker.sock`, `tcp://10.0.0.2:2375`,
 * `ssh://user@host`. Undefined means the local socket.
 */
export function dockerOptions(url: string | undefined): DockerOptions {
  if (!url) return { socketPath: '/var/run/docker.sock' };
  const u = new URL(url);
  switch (u.protocol) {
    case 'unix:':
      return { socketPath: u.pathname };
    case 'tcp:':
    case 'http:':
      return { protocol: 'http', host: u.hostname, port: Number(u.port || 2375) };
    case 'https:':
      return { protocol: 'https', host: u.hostname, port: Number(u.port || 2376) };
    case 'ssh:':
      return { protocol: 'ssh', host: u.hostname, port: Number(u.port || 22), username: u.username || undefined };
    default:
      throw new Error(`DOCKER_HOST: unsupported scheme ${u.protocol} (use unix://, tcp:// or ssh://)`);
  }
}
