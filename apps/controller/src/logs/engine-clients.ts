import Docker from 'dockerode';
import { dockerOptions } from '@paas/shared';
import type { HostRow } from '../db/hosts.js';

/**
 * Docker clients for long-lived reads (log follows, events, stats), one per host, apart from the
 * runtime's: they carry no request timeout (a quiet log stream is not a dead one) and do not hold
 * the runtime's sockets. Rebuilt when a host's URL or TLS settings change.
 */
export class EngineClients {
  private readonly clients = new Map<string, { signature: string; docker: Docker }>();

  constructor(private readonly make: (row: Pick<HostRow, 'docker_url' | 'tls'>) => Docker = streamingDocker) {}

  for(row: Pick<HostRow, 'name' | 'docker_url' | 'tls'>): Docker {
    const signature = JSON.stringify([row.docker_url, row.tls]);
    const known = this.clients.get(row.name);
    if (known && known.signature === signature) return known.docker;
    const docker = this.make(row);
    this.clients.set(row.name, { signature, docker });
    return docker;
  }
}

export function streamingDocker(row: Pick<HostRow, 'docker_url' | 'tls'>): Docker {
  const opts = dockerOptions(row.docker_url || undefined);
  if (row.tls?.cert && row.tls.key) Object.assign(opts, { protocol: 'https', ca: row.tls.ca, cert: row.tls.cert, key: row.tls.key });
  return new Docker(opts);
}
