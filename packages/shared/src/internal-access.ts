import type { Redis } from 'ioredis';
import type { RedisKeys } from './redis-keys.js';

/**
 * Service discovery between apps (`<app>.<PAAS_INTERNAL_DOMAIN>` through a router's internal
 * listener): which app each app network's subnet belongs to on each host (the router tells a source
 * app by the address it connects from), and which source apps each target's owner allows. The
 * controller writes it, the routers read it (whole, on a change and on a timer).
 */
export interface InternalSubnet {
  host: string;
  /** IPv4 CIDR of the app's network on that host. */
  subnet: string;
  app: string;
}

export interface InternalAccessTable {
  subnets: InternalSubnet[];
  /** Target app → the apps allowed to reach it. */
  allowed: Record<string, string[]>;
}

/** The table in Redis (RedisKeys.internalSubnets, internalAllowed; changes announced on internalChanged). */
export class RedisInternalAccess {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  /** Records one app network's subnet on a host (a network just made or found). */
  async setSubnet(entry: InternalSubnet): Promise<void> {
    const field = `${entry.host} ${entry.subnet}`;
    if ((await this.redis.hget(this.keys.internalSubnets, field)) === entry.app) return;
    await this.redis.hset(this.keys.internalSubnets, field, entry.app);
    await this.changed();
  }

  /** Replaces what is known of one host's app networks with `entries` (a full listing of its engine). */
  async replaceHostSubnets(host: string, entries: { subnet: string; app: string }[]): Promise<void> {
    const have = await this.redis.hgetall(this.keys.internalSubnets);
    const want = new Map(entries.map((e) => [`${host} ${e.subnet}`, e.app]));
    const stale = Object.keys(have).filter((f) => f.startsWith(`${host} `) && !want.has(f));
    const fresh = [...want].filter(([f, app]) => have[f] !== app);
    if (stale.length === 0 && fresh.length === 0) return;
    const m = this.redis.multi();
    if (stale.length > 0) m.hdel(this.keys.internalSubnets, ...stale);
    for (const [f, app] of fresh) m.hset(this.keys.internalSubnets, f, app);
    await m.exec();
    await this.changed();
  }

  /** Sets the sources allowed to reach `target` (none: the entry goes). */
  async setAllowed(target: string, sources: string[]): Promise<void> {
    if (sources.length === 0) await this.redis.hdel(this.keys.internalAllowed, target);
    else await this.redis.hset(this.keys.internalAllowed, target, JSON.stringify([...new Set(sources)].sort()));
    await this.changed();
  }

  /** Replaces every target's sources (the controller's full resync from PostgreSQL). */
  async replaceAllowed(allowed: Record<string, string[]>): Promise<void> {
    const m = this.redis.multi().del(this.keys.internalAllowed);
    const entries = Object.entries(allowed).filter(([, s]) => s.length > 0);
    if (entries.length > 0) m.hset(this.keys.internalAllowed, Object.fromEntries(entries.map(([t, s]) => [t, JSON.stringify([...new Set(s)].sort())])));
    await m.exec();
    await this.changed();
  }

  /** Forgets an app: its networks and what it allowed (an app destroyed). */
  async removeApp(app: string): Promise<void> {
    const subnets = await this.redis.hgetall(this.keys.internalSubnets);
    const fields = Object.entries(subnets).filter(([, a]) => a === app).map(([f]) => f);
    const m = this.redis.multi().hdel(this.keys.internalAllowed, app);
    if (fields.length > 0) m.hdel(this.keys.internalSubnets, ...fields);
    await m.exec();
    await this.changed();
  }

  async read(): Promise<InternalAccessTable> {
    const [subnets, allowed] = await Promise.all([this.redis.hgetall(this.keys.internalSubnets), this.redis.hgetall(this.keys.internalAllowed)]);
    const table: InternalAccessTable = { subnets: [], allowed: {} };
    for (const [field, app] of Object.entries(subnets)) {
      const [host, subnet] = field.split(' ');
      if (host && subnet) table.subnets.push({ host, subnet, app });
    }
    for (const [target, json] of Object.entries(allowed)) {
      try {
        const sources = JSON.parse(json) as unknown;
        if (Array.isArray(sources)) table.allowed[target] = sources.filter((s): s is string => typeof s === 'string');
      } catch {
        /* a value the controller did not write: that target allows nothing */
      }
    }
    return table;
  }

  /** Calls `onChange` after each change; returns a function that stops watching. */
  async watch(onChange: () => void): Promise<() => Promise<void>> {
    const sub = this.redis.duplicate();
    let stopped = false;
    sub.on('message', (ch: string) => {
      if (ch === this.keys.internalChanged && !stopped) onChange();
    });
    sub.on('error', () => {
      /* ioredis reconnects by itself; the reader's periodic resync covers what was missed */
    });
    await sub.subscribe(this.keys.internalChanged);
    return async () => {
      stopped = true;
      await sub.quit().catch(() => sub.disconnect());
    };
  }

  private async changed(): Promise<void> {
    await this.redis.publish(this.keys.internalChanged, '1');
  }
}
