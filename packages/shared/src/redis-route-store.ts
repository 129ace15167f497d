import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { AppRoute, CertEntry } from './types.js';
import { sleep, type AcmeChallengeStore, type RouteChangeListener, type RouteSnapshot, type RouteStore } from './route-store.js';
import type { RedisKeys } from './redis-keys.js';

/**
 * Route table in Redis: a hash of app → JSON route, two pub/sub channels telling of each change (one
 * with the app and its new route, so routers apply it without reading it back: one round trip less
 * between the controller's switch and the routers serving it; one with the app's name alone, which
 * routers of earlier versions read), and an
 * acknowledgement key per app holding the highest version a router applied; certificates likewise in
 * a hash of id → JSON entry with a channel of their own. Redis keeps nothing on
 * disk here: the epoch key (written with a whole table) tells routers whether a list is the whole
 * table, and the controller writes the whole table again, at once, when it finds the epoch gone.
 */
export class RedisRouteStore implements RouteStore, AcmeChallengeStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  async list(): Promise<AppRoute[]> {
    const all = await this.redis.hgetall(this.keys.routes);
    return Object.values(all).map((v) => JSON.parse(v) as AppRoute);
  }

  async snapshot(): Promise<RouteSnapshot> {
    // One transaction: the epoch and the table it belongs to.
    const res = await this.redis.multi().get(this.keys.routesEpoch).hgetall(this.keys.routes).exec();
    if (!res) throw new Error('route snapshot aborted');
    for (const [err] of res) if (err) throw err;
    const epoch = res[0]![1] as string | null;
    const all = res[1]![1] as Record<string, string>;
    return { epoch: epoch ?? undefined, routes: Object.values(all).map((v) => JSON.parse(v) as AppRoute) };
  }

  async epoch(): Promise<string | undefined> {
    return (await this.redis.get(this.keys.routesEpoch)) ?? undefined;
  }

  async replaceAll(routes: AppRoute[], opts: { onlyIfNoEpoch?: boolean } = {}): Promise<string | undefined> {
    const epoch = randomUUID();
    const args = [opts.onlyIfNoEpoch ? '1' : '0', epoch, JSON.stringify({ epoch })];
    for (const r of routes) args.push(r.app, JSON.stringify(r));
    const written = await this.redis.eval(replaceAllScript, 3, this.keys.routes, this.keys.routesEpoch, this.keys.routesAnnounced, ...args);
    return written === 1 ? epoch : undefined;
  }

  async get(app: string): Promise<AppRoute | undefined> {
    const v = await this.redis.hget(this.keys.routes, app);
    return v ? (JSON.parse(v) as AppRoute) : undefined;
  }

  async set(route: AppRoute): Promise<void> {
    await this.redis
      .multi()
      .hset(this.keys.routes, route.app, JSON.stringify(route))
      .publish(this.keys.routesAnnounced, JSON.stringify({ app: route.app, route }))
      .publish(this.keys.routesChanged, route.app)
      .exec();
  }

  async remove(app: string): Promise<void> {
    await this.redis
      .multi()
      .hdel(this.keys.routes, app)
      .del(this.keys.routeAck(app))
      .publish(this.keys.routesAnnounced, JSON.stringify({ app, route: null }))
      .publish(this.keys.routesChanged, app)
      .exec();
  }

  /**
   * Both channels, on one connection (so their messages arrive in the order published): an
   * announcement with the route is passed on; the bare name that follows it (published in the same
   * transaction) is then skipped. A bare name alone (a controller of an earlier version) is passed
   * on without a route, to be read back.
   */
  async watch(onChange: RouteChangeListener, onResync?: () => void): Promise<() => Promise<void>> {
    const twins = new Map<string, number>();
    return this.subscribe([this.keys.routesAnnounced, this.keys.routesChanged], (channel, message) => {
      if (channel === this.keys.routesAnnounced) {
        if (message.startsWith('{"epoch"')) {
          onResync?.();
          return;
        }
        const change = parseRouteChange(message);
        if (!change) return;
        twins.set(change.app, (twins.get(change.app) ?? 0) + 1);
        onChange(change.app, change.route);
        return;
      }
      const expected = twins.get(message) ?? 0;
      if (expected > 0) {
        if (expected === 1) twins.delete(message);
        else twins.set(message, expected - 1);
        return;
      }
      onChange(message);
    });
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

  async putChallenge(token: string, keyAuthorization: string, ttlSeconds: number): Promise<void> {
    await this.redis.set(this.keys.acmeChallenge(token), keyAuthorization, 'EX', ttlSeconds);
  }

  async getChallenge(token: string): Promise<string | undefined> {
    return (await this.redis.get(this.keys.acmeChallenge(token))) ?? undefined;
  }

  async removeChallenge(token: string): Promise<void> {
    await this.redis.del(this.keys.acmeChallenge(token));
  }

  async watchCerts(onChange: (id: string) => void): Promise<() => Promise<void>> {
    return this.subscribe([this.keys.certsChanged], (_channel, id) => onChange(id));
  }

  /** A subscription on a connection of its own, calling `onMessage` with each message on `channels`. */
  private async subscribe(channels: string[], onMessage: (channel: string, message: string) => void): Promise<() => Promise<void>> {
    const sub = this.redis.duplicate();
    let stopped = false;
    sub.on('message', (ch: string, message: string) => {
      if (channels.includes(ch) && !stopped) onMessage(ch, message);
    });
    sub.on('error', () => {
      /* ioredis reconnects by itself; the router's periodic resync covers what was missed */
    });
    await sub.subscribe(...channels);
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

/**
 * KEYS: routes hash, epoch key, announcements channel. ARGV: only-if-no-epoch flag, the new epoch, the
 * announcement, then app and route JSON pairs. The table, its epoch and the announcement in one step.
 */
const replaceAllScript = `
if ARGV[1] == '1' and redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
redis.call('DEL', KEYS[1])
for i = 4, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('SET', KEYS[2], ARGV[2])
redis.call('PUBLISH', KEYS[3], ARGV[3])
return 1`;

/**
 * A message of the announcements channel, `{"app":…,"route":…|null}` (anything else: just the app,
 * whose route is then read back; app names never start with `{`).
 */
export function parseRouteChange(message: string): { app: string; route?: AppRoute | null } | undefined {
  if (!message.startsWith('{')) return { app: message };
  try {
    const m = JSON.parse(message) as { app?: unknown; route?: AppRoute | null };
    if (typeof m.app !== 'string') return undefined;
    return m.route === null || (typeof m.route === 'object' && m.route?.app === m.app) ? { app: m.app, route: m.route } : { app: m.app };
  } catch {
    return undefined;
  }
}
