import { Redis } from 'ioredis';
import { AppError } from '@paas/shared';
import type { AddonPlan } from './addon-plans.js';
import { newPassword, resourcePattern } from './postgres-provisioner.js';
import { withPublicHost, type AddonProvisioner, type AddonServer, type AddonUsage } from './addon-provisioner.js';

/**
 * The commands an add-on user may run: data commands on its own keys and channels, transactions,
 * connection housekeeping. Not: anything @dangerous or @admin (KEYS, FLUSHALL, CONFIG, DEBUG…),
 * scripting, and the commands that see keys or channels beyond its prefix despite the key pattern
 * (SCAN, RANDOMKEY, DBSIZE, PUBSUB) or move them between databases (SELECT, MOVE, SWAPDB).
 */
export const addonAclRules = [
  '-@all',
  '+@string', '+@hash', '+@list', '+@set', '+@sortedset', '+@stream', '+@bitmap', '+@hyperloglog', '+@geo',
  '+@keyspace', '+@transaction', '+@connection', '+@pubsub', '+@read', '+@write',
  '-@dangerous', '-@admin', '-@scripting',
  '-scan', '-randomkey', '-dbsize', '-pubsub', '-select', '-move', '-swapdb', '-flushdb', '-flushall', '-keys',
];

/** The key prefix of an add-on: its keys are `addon_<hex>:*`. */
export const keyPrefix = (resource: string): string => `${resource}:`;

function checkResource(resource: string): string {
  if (!resourcePattern.test(resource)) throw new AppError('internal', `not an add-on resource name: ${resource}`);
  return resource;
}

/**
 * Redis add-ons on a shared server: an ACL user per add-on whose keys and channels must start with
 * its prefix, with only the commands above. The URL carries the user and password; apps put
 * `<NAME>_KEY_PREFIX` in front of their keys.
 */
export class RedisProvisioner implements AddonProvisioner {
  readonly kind = 'redis' as const;

  async create(server: AddonServer, resource: string, plan: AddonPlan): Promise<string> {
    const password = newPassword();
    await this.setUser(server, resource, password, plan);
    return this.url(server, resource, password);
  }

  /** Makes the user again when the server lost it (a restart without an ACL file); a user that exists is left alone. */
  async ensure(server: AddonServer, resource: string, url: string, plan: AddonPlan): Promise<void> {
    checkResource(resource);
    const exists = await this.admin(server, async (r) => (await r.call('ACL', 'GETUSER', resource)) !== null);
    if (!exists) await this.setUser(server, resource, decodeURIComponent(new URL(url).password), plan);
  }

  async destroy(server: AddonServer, resource: string): Promise<void> {
    checkResource(resource);
    await this.admin(server, async (r) => {
      await r.call('ACL', 'DELUSER', resource); // also closes the user's connections
      await this.saveAcl(r);
      await this.eachKeyBatch(r, resource, (keys) => r.unlink(...keys));
    });
  }

  async rotate(server: AddonServer, resource: string): Promise<string> {
    checkResource(resource);
    const password = newPassword();
    await this.admin(server, async (r) => {
      await r.call('ACL', 'SETUSER', resource, 'resetpass', `>${password}`);
      await this.saveAcl(r);
      await r.call('CLIENT', 'KILL', 'USER', resource).catch(() => undefined); // none connected is fine
    });
    return this.url(server, resource, password);
  }

  async usage(server: AddonServer, resource: string): Promise<AddonUsage> {
    checkResource(resource);
    return this.admin(server, async (r) => {
      let keys = 0;
      let bytes = 0;
      await this.eachKeyBatch(r, resource, async (batch) => {
        keys += batch.length;
        const p = r.pipeline();
        for (const k of batch) p.call('MEMORY', 'USAGE', k);
        for (const [, v] of (await p.exec()) ?? []) bytes += Number(v ?? 0);
      });
      const clients = String(await r.call('CLIENT', 'LIST'));
      const connections = clients.split('\n').filter((l) => l.includes(` user=${resource} `)).length;
      return { bytes, connections, connectionLimit: null, extra: { keys, key_prefix: keyPrefix(resource) } };
    });
  }

  private async setUser(server: AddonServer, resource: string, password: string, _plan: AddonPlan): Promise<void> {
    checkResource(resource);
    const prefix = keyPrefix(resource);
    await this.admin(server, async (r) => {
      await r.call('ACL', 'SETUSER', resource, 'reset', 'on', `>${password}`, `~${prefix}*`, `&${prefix}*`, ...addonAclRules);
      await this.saveAcl(r);
    });
  }

  /** Persists the ACL when the server keeps an ACL file; without one, `ensure` recreates users after a restart. */
  private async saveAcl(r: Redis): Promise<void> {
    await r.call('ACL', 'SAVE').catch(() => undefined);
  }

  private async eachKeyBatch(r: Redis, resource: string, fn: (keys: string[]) => Promise<unknown>): Promise<void> {
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${keyPrefix(resource)}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await fn(keys);
    } while (cursor !== '0');
  }

  private url(server: AddonServer, resource: string, password: string): string {
    const url = new URL(server.adminUrl);
    url.username = resource;
    url.password = password;
    url.pathname = '';
    url.search = '';
    return withPublicHost(url, server);
  }

  private async admin<T>(server: AddonServer, fn: (r: Redis) => Promise<T>): Promise<T> {
    const r = new Redis(server.adminUrl, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 10_000, enableOfflineQueue: false });
    r.on('error', () => undefined);
    try {
      await r.connect();
    } catch (err) {
      r.disconnect();
      throw new AppError('unavailable', `the add-on Redis server does not answer: ${(err as Error).message}`, { retryable: true, cause: err });
    }
    try {
      return await fn(r);
    } finally {
      r.disconnect();
    }
  }
}
