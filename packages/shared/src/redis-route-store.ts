import type { Redis } from 'ioredis';
import type { AppRoute, CertEntry } from './types.js';
import { sleep, type RouteStore } from './route-store.js';
import type { RedisKeys } from './redis-keys.js';

/**
 * Route table in Redis: a hash of app → JSON route, a pub/sub channel naming each changed app, and an
 * acknowledgement key per app holding the highest version a router applied; certificates likewise in
 * a hash of id → JSON entry with a channel of their own. Redis keeps nothing on
 * disk here, so the controller republishes the whole table on start and on every resync.
 */
export class RedisRouteStore implements RouteStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  async list(): Promise<AppRoute[]> {
    const all = await this.redis.hgetall(this.keys.routes);
    return Object.values(all).map((v) => JSON.parse(v) as AppRoute);
  }

  async get(app: string): Promise<AppRoute | undefined> {
    const v = await this.redis.hget(this.keys.routes, app);
    return v ? (JSON.parse(v) as AppRoute) : undefined;
  }

  async set(route: AppRoute): Promise<void> {
    await this.redis
      .multi()
      .hset(this.keys.routes, route.app, JSON.stringify(route))
      .publish(this.keys.routesChanged, route.app)
      .exec();
  }

  async remove(app: string): Promise<void> {
    await this.redis
      .multi()
      .hdel(this.keys.routes, app)
      .del(this.keys.routeAck(app))
      .publish(this.keys.routesChanged, app)
      .exec();
  }

  async watch(onChange: (app: string) => void): Promise<() => Promise<void>> {
    return this.subscribe(this.keys.routesChanged, onChange);
  }

  async listCerts(): Promise<CertEntry[]> {
    const all = await this.redis.hgetall(this.keys.certs);
    return Object.values(all).map((v) => JSON.parse(v) as CertEntry);
  }

  async getCert(id: string): Promise<CertEntry | undefined> {
    const v = await this.redis.hget(this.keys.certs, id);
    return v ? (JSON.parse(v) as CertEntry) : undefined;
  }

  async setCert(cert: CertEntry): Promise<void> {
    await this.redis.multi().hset(this.keys.certs, cert.id, JSON.stringify(cert)).publish(this.keys.certsChanged, cert.id).exec();
  }

  async removeCert(id: string): Promise<void> {
    await this.redis.multi().hdel(this.keys.certs, id).publish(this.keys.certsChanged, id).exec();
  }

  async watchCerts(onChange: (id: string) => void): Promise<() => Promise<void>> {
    return this.subscribe(this.keys.certsChanged, onChange);
  }

  /** A subscription on a connection of its own, calling `onChange` with each message on `channel`. */
  private async subscribe(channel: string, onChange: (message: string) => void): Promise<() => Promise<void>> {
    const sub = this.redis.duplicate();
    let stopped = false;
    sub.on('message', (ch: string, message: string) => {
      if (ch === channel && !stopped) onChange(message);
    });
    sub.on('error', () => {
      /* ioredis reconnects by itself; the router's periodic resync covers what was missed */
    });
    await sub.subscribe(channel);
    return async () => {
      stopped = true;
      await sub.quit().catch(() => sub.disconnect());
    };
  }

  async ack(app: string, version: number): Promise<void> {
    // Keep the highest version: a slower router must not move the acknowledgement backwards.
    await this.redis.eval(
      "local v = tonumber(redis.call('GET', KEYS[1]) or '-1') if tonumber(ARGV[1]) > v then redis.call('SET', KEYS[1], ARGV[1], 'EX', 86400) end return 1",
      1,
      this.keys.routeAck(app),
      String(version),
    );
  }

  async waitForAck(app: string, version: number, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = Number((await this.redis.get(this.keys.routeAck(app))) ?? -1);
      if (v >= version) return true;
      if (Date.now() >= deadline) return false;
      await sleep(5);
    }
  }
}
