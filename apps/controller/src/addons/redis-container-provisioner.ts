import type Docker from 'dockerode';
import { Redis } from 'ioredis';
import { AppError, sleep } from '@paas/shared';
import type { AddonPlan } from './addon-plans.js';
import { newPassword, resourcePattern } from './postgres-provisioner.js';
import type { AddonProvisioner, AddonServer, AddonUsage } from './addon-provisioner.js';

export const redisImage = 'paas/redis:bookworm';

export interface RedisContainerOptions {
  /** The engine the add-on containers run on (the controller's). */
  docker: Docker;
  cluster: string;
  /** The address their port is published on (PAAS_ADDON_HOST when it is an address, else PAAS_CONTAINER_ADDRESS). */
  bindAddress: string;
  /** The host apps connect to (default: bindAddress). */
  publicHost?: string;
}

const isNotFound = (err: unknown): boolean => (err as { statusCode?: number }).statusCode === 404;

/**
 * Redis add-ons as a dedicated `redis-server` container each (PAAS_ADDON_REDIS_MODE=container): the
 * paas/redis image (Debian's package), a password of its own, the plan's memory (`maxmemory`,
 * no eviction) and clients (`maxclients`), append-only data on a volume of its own, hardened like an
 * app's container, its port published on `bindAddress`. Rotation starts it again with a new password
 * (the data stays on the volume).
 */
export class RedisContainerProvisioner implements AddonProvisioner {
  readonly kind = 'redis' as const;
  readonly engine = 'container' as const;

  constructor(private readonly o: RedisContainerOptions) {}

  async create(_server: AddonServer, resource: string, plan: AddonPlan): Promise<string> {
    return this.run(resource, plan, newPassword());
  }

  async destroy(_server: AddonServer, resource: string): Promise<void> {
    const name = this.name(resource);
    await this.o.docker.getContainer(name).remove({ force: true }).catch((err: unknown) => {
      if (!isNotFound(err)) throw err;
    });
    await this.o.docker.getVolume(name).remove().catch((err: unknown) => {
      if (!isNotFound(err)) throw err;
    });
  }

  async rotate(_server: AddonServer, resource: string): Promise<string> {
    const info = await this.o.docker.getContainer(this.name(resource)).inspect().catch(() => undefined);
    const plan = info ? planOf(info) : { name: 'hobby', connections: 20, sizeMb: 25 };
    await this.o.docker.getContainer(this.name(resource)).remove({ force: true }).catch(() => undefined);
    return this.run(resource, plan, newPassword());
  }

  async usage(_server: AddonServer, resource: string): Promise<AddonUsage> {
    const info = await this.o.docker.getContainer(this.name(resource)).inspect();
    const url = this.urlOf(info, true);
    const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, enableReadyCheck: false, connectTimeout: 5000 });
    r.on('error', () => undefined);
    try {
      await r.connect();
      const text = await r.info();
      const field = (k: string): number => Number(new RegExp(`^${k}:(\\d+)`, 'm').exec(text)?.[1] ?? 0);
      return { bytes: field('used_memory'), connections: Math.max(0, field('connected_clients') - 1), connectionLimit: planOf(info).connections, extra: { keys: await r.dbsize() } };
    } finally {
      r.disconnect();
    }
  }

  private name(resource: string): string {
    if (!resourcePattern.test(resource)) throw new AppError('internal', `not an add-on resource name: ${resource}`);
    return `paas-${this.o.cluster}-${resource}`;
  }

  private async run(resource: string, plan: AddonPlan, password: string): Promise<string> {
    const name = this.name(resource);
    // Its data volume (kept across a rotation's new container); made again it is the same one.
    await this.o.docker.createVolume({ Name: name, Labels: { 'paas.cluster': this.o.cluster, 'paas.addon': resource } });
    const c = await this.o.docker.createContainer({
      name,
      Image: redisImage,
      // The password as an argument: visible to those who may inspect the engine's containers (the operator) only.
      Cmd: [
        '--port', '6379', '--bind', '0.0.0.0', '--protected-mode', 'no', '--requirepass', password,
        '--maxmemory', `${plan.sizeMb}mb`, '--maxmemory-policy', 'noeviction', '--maxclients', String(plan.connections),
        '--appendonly', 'yes', '--dir', '/var/lib/redis',
      ],
      ExposedPorts: { '6379/tcp': {} },
      Labels: { 'paas.cluster': this.o.cluster, 'paas.role': 'addon', 'paas.addon': resource, 'paas.plan': `${plan.name}:${plan.connections}:${plan.sizeMb}` },
      HostConfig: {
        CapDrop: ['ALL'],
        SecurityOpt: ['no-new-privileges'],
        PidsLimit: 64,
        Privileged: false,
        Memory: (plan.sizeMb + 64) * 1024 * 1024,
        RestartPolicy: { Name: 'always' },
        PortBindings: { '6379/tcp': [{ HostIp: this.o.bindAddress, HostPort: '' }] },
        Mounts: [{ Type: 'volume', Source: name, Target: '/var/lib/redis' }],
        LogConfig: { Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '2' } },
      },
    });
    await c.start();
    const inspected = await c.inspect();
    const url = this.urlOf(inspected, true);
    // Ready when it answers with its password.
    for (let i = 0; ; i++) {
      const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, enableReadyCheck: false, connectTimeout: 2000, retryStrategy: () => null });
      r.on('error', () => undefined);
      const ok = await r.connect().then(() => r.ping()).then(() => true, () => false);
      r.disconnect();
      if (ok) break;
      if (i >= 100) {
        await this.destroy({ adminUrl: '' }, resource).catch(() => undefined);
        throw new AppError('unavailable', `the Redis container of ${resource} did not start`, { retryable: true });
      }
      await sleep(100);
    }
    return this.urlOf(inspected);
  }

  /** The URL apps use (at the public host), or the controller (`local`: at the bound address). */
  private urlOf(info: Docker.ContainerInspectInfo, local = false): string {
    const port = info.NetworkSettings.Ports?.['6379/tcp']?.[0]?.HostPort;
    const password = (info.Config.Cmd ?? [])[(info.Config.Cmd ?? []).indexOf('--requirepass') + 1] ?? '';
    const url = new URL('redis://127.0.0.1');
    const bound = this.o.bindAddress === '0.0.0.0' ? '127.0.0.1' : this.o.bindAddress;
    url.hostname = local ? bound : (this.o.publicHost ?? bound);
    url.port = port ?? '';
    url.password = password;
    return url.toString();
  }
}

function planOf(info: Docker.ContainerInspectInfo): AddonPlan {
  const [name, connections, sizeMb] = (info.Config.Labels?.['paas.plan'] ?? 'hobby:20:25').split(':');
  return { name: name!, connections: Number(connections), sizeMb: Number(sizeMb) };
}
