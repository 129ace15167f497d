/* Helpers shared by the router's tests (not used by the router itself). */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { createLogger, RedisKeys, RedisRouteStore } from '@paas/shared';
import type { AppRoute, Backend, CertEntry, Logger, RouteSnapshot, RouteStore } from '@paas/shared';
import { loadConfig } from './config.js';
import { chooseCodec, type HttpCodec } from './http-codec.js';
import { testRedisUrl } from '@paas/test-kit';

export const quietLogger = (): Logger => createLogger('router-test', 'silent');

/** The router's settings from the test run's environment: only PAAS_ROUTER_PARSER (the suite runs under each codec). */
export function testConfig(): ReturnType<typeof loadConfig> {
  return loadConfig({ PAAS_ROUTER_PARSER: process.env['PAAS_ROUTER_PARSER'] });
}

/** The codec PAAS_ROUTER_PARSER selects for this test run. */
export function testCodec(): HttpCodec {
  return chooseCodec(testConfig().parser).codec;
}

export function appRoute(app: string, domains: string[], backends: Backend[], version = 1): AppRoute {
  return { app, domains, backends, release: 1, version };
}

export function backend(port: number, n = 1): Backend {
  return { process: `web.${n}`, container: `c${n}`, host: '127.0.0.1', port };
}

export { eventually } from '@paas/test-kit';

/** A RouteStore on real Redis under a random prefix; `close` deletes its keys. */
export function redisRouteStore(): { store: RedisRouteStore; redis: Redis; keys: RedisKeys; close: () => Promise<void> } {
  const redis = new Redis(testRedisUrl());
  const keys = new RedisKeys(`paas-test-${randomBytes(4).toString('hex')}`);
  return {
    store: new RedisRouteStore(redis, keys),
    redis,
    keys,
    close: async () => {
      const cleaner = new Redis(testRedisUrl());
      const left = await cleaner.keys(`${keys.prefix}:*`);
      if (left.length) await cleaner.del(...left);
      cleaner.disconnect();
      redis.disconnect();
    },
  };
}

/**
 * Wraps a real store with faults to order: `failing` makes reads throw (and announcements come without
 * their route), `hanging` makes reads never answer, `deaf` swallows change announcements (so only a
 * resync sees changes).
 */
export class FaultyStore implements RouteStore {
  failing = false;
  hanging = false;
  deaf = false;

  constructor(private readonly inner: RouteStore) {}

  private async fault(): Promise<void> {
    if (this.failing) throw new Error('route store unreachable');
    if (this.hanging) await new Promise(() => {});
  }
  async list(): Promise<AppRoute[]> {
    await this.fault();
    return this.inner.list();
  }
  async get(app: string): Promise<AppRoute | undefined> {
    await this.fault();
    return this.inner.get(app);
  }
  async snapshot(): Promise<RouteSnapshot> {
    await this.fault();
    return this.inner.snapshot();
  }
  async epoch(): Promise<string | undefined> {
    await this.fault();
    return this.inner.epoch();
  }
  replaceAll(routes: AppRoute[], opts?: { onlyIfNoEpoch?: boolean }): Promise<string | undefined> {
    return this.inner.replaceAll(routes, opts);
  }
  set(route: AppRoute): Promise<void> {
    return this.inner.set(route);
  }
  remove(app: string): Promise<void> {
    return this.inner.remove(app);
  }
  async watch(onChange: (app: string, route?: AppRoute | null) => void, onResync?: () => void): Promise<() => Promise<void>> {
    await this.fault();
    // While failing, announcements come without the route (as older controllers sent them): the
    // router has to read it back, and that read fails.
    return this.inner.watch(
      (app, route) => {
        if (!this.deaf) onChange(app, this.failing ? undefined : route);
      },
      () => {
        if (!this.deaf) onResync?.();
      },
    );
  }
  ack(app: string, version: number): Promise<void> {
    return this.inner.ack(app, version);
  }
  waitForAck(app: string, version: number, timeoutMs: number): Promise<boolean> {
    return this.inner.waitForAck(app, version, timeoutMs);
  }
  async listCerts(): Promise<CertEntry[]> {
    await this.fault();
    return this.inner.listCerts();
  }
  async getCert(id: string): Promise<CertEntry | undefined> {
    await this.fault();
    return this.inner.getCert(id);
  }
  setCert(cert: CertEntry): Promise<void> {
    return this.inner.setCert(cert);
  }
  removeCert(id: string): Promise<void> {
    return this.inner.removeCert(id);
  }
  async watchCerts(onChange: (id: string) => void): Promise<() => Promise<void>> {
    await this.fault();
    return this.inner.watchCerts((id) => {
      if (!this.deaf) onChange(id);
    });
  }
}

/** Prometheus text format → sample name (with labels) → value; throws on a malformed line. */
export function parsePrometheus(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?) (-?[0-9.e+-]+|NaN|\+Inf|-Inf)$/.exec(line);
    if (!m) throw new Error(`not Prometheus text: ${line}`);
    samples.set(m[1]!, Number(m[2]));
  }
  return samples;
}

