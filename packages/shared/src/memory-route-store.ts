import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { AppRoute, CertEntry } from './types.js';
import type { AcmeChallengeStore, RouteChangeListener, RouteSnapshot, RouteStore } from './route-store.js';

/** In-process route store, for unit tests and single-process setups. */
export class MemoryRouteStore implements RouteStore, AcmeChallengeStore {
  private readonly challenges = new Map<string, { value: string; until: number }>();
  private readonly routes = new Map<string, AppRoute>();
  private readonly certs = new Map<string, CertEntry>();
  private readonly acks = new Map<string, number>();
  private readonly events = new EventEmitter();
  private currentEpoch: string | undefined;

  /** As Redis coming back empty: no routes, no certificates, no acknowledgements, no epoch. */
  lose(): void {
    this.routes.clear();
    this.certs.clear();
    this.acks.clear();
    this.currentEpoch = undefined;
  }
  async snapshot(): Promise<RouteSnapshot> {
    return { epoch: this.currentEpoch, routes: await this.list() };
  }
  async epoch(): Promise<string | undefined> {
    return this.currentEpoch;
  }
  async replaceAll(routes: AppRoute[], opts: { onlyIfNoEpoch?: boolean } = {}): Promise<string | undefined> {
    if (opts.onlyIfNoEpoch && this.currentEpoch !== undefined) return undefined;
    this.routes.clear();
    for (const r of routes) this.routes.set(r.app, structuredClone(r));
    this.currentEpoch = randomUUID();
    this.events.emit('resync');
    return this.currentEpoch;
  }

  async list(): Promise<AppRoute[]> {
    return [...this.routes.values()].map((r) => structuredClone(r));
  }
  async get(app: string): Promise<AppRoute | undefined> {
    const r = this.routes.get(app);
    return r && structuredClone(r);
  }
  async set(route: AppRoute): Promise<void> {
    this.routes.set(route.app, structuredClone(route));
    this.events.emit('change', route.app, structuredClone(route));
  }
  async remove(app: string): Promise<void> {
    this.routes.delete(app);
    this.acks.delete(app);
    this.events.emit('change', app, null);
  }
  async watch(onChange: RouteChangeListener, onResync?: () => void): Promise<() => Promise<void>> {
    const listener = (app: string, route: AppRoute | null): void => queueMicrotask(() => onChange(app, route && structuredClone(route)));
    const resync = (): void => queueMicrotask(() => onResync?.());
    this.events.on('change', listener);
    this.events.on('resync', resync);
    return async () => {
      this.events.off('change', listener);
      this.events.off('resync', resync);
    };
  }
  async ack(app: string, version: number): Promise<void> {
    if ((this.acks.get(app) ?? -1) < version) this.acks.set(app, version);
    this.events.emit('ack', app);
  }
  async waitForAck(app: string, version: number, timeoutMs: number): Promise<boolean> {
    if ((this.acks.get(app) ?? -1) >= version) return true;
    return new Promise((resolve) => {
      const done = (ok: boolean): void => {
        clearTimeout(timer);
        this.events.off('ack', onAck);
        resolve(ok);
      };
      const onAck = (a: string): void => {
        if (a === app && (this.acks.get(app) ?? -1) >= version) done(true);
      };
      const timer = setTimeout(() => done(false), timeoutMs);
      this.events.on('ack', onAck);
    });
  }
  async listCerts(): Promise<CertEntry[]> {
    return [...this.certs.values()].map((c) => structuredClone(c));
  }
  async getCert(id: string): Promise<CertEntry | undefined> {
    const c = this.certs.get(id);
    return c && structuredClone(c);
  }
  async setCert(cert: CertEntry): Promise<void> {
    this.certs.set(cert.id, structuredClone(cert));
    this.events.emit('cert', cert.id);
  }
  async removeCert(id: string): Promise<void> {
    this.certs.delete(id);
    this.events.emit('cert', id);
  }
  async putChallenge(token: string, keyAuthorization: string, ttlSeconds: number): Promise<void> {
    this.challenges.set(token, { value: keyAuthorization, until: Date.now() + ttlSeconds * 1000 });
  }
  async getChallenge(token: string): Promise<string | undefined> {
    const c = this.challenges.get(token);
    return c && c.until > Date.now() ? c.value : undefined;
  }
  async removeChallenge(token: string): Promise<void> {
    this.challenges.delete(token);
  }
  async watchCerts(onChange: (id: string) => void): Promise<() => Promise<void>> {
    const listener = (id: string): void => queueMicrotask(() => onChange(id));
    this.events.on('cert', listener);
    return async () => {
      this.events.off('cert', listener);
    };
  }
}
