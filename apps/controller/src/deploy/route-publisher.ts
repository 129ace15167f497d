import type { AppRoute, RouteStore, Logger } from '@paas/shared';
import type { ProcessInfo } from '../runtime/runtime-backend.js';

/** Publishes an app's route (its web processes) to the routers and waits until one applies it. */
export class RoutePublisher {
  private lastVersion = 0;

  constructor(
    private readonly store: RouteStore,
    private readonly domain: string,
    private readonly ackTimeoutMs: number,
    private readonly log: Logger,
    /** The app's custom domains (see domains/domain-service.ts), published next to `<app>.<domain>`. */
    private readonly customDomains: (app: string) => Promise<string[]> = async () => [],
  ) {}

  /** `<app>.<domain>` first, then the custom domains in name order. */
  async domainsOf(app: string): Promise<string[]> {
    const custom = (await this.customDomains(app)).filter((d) => d !== `${app}.${this.domain}`).sort();
    return [`${app}.${this.domain}`, ...custom];
  }

  /** Versions grow across controller restarts: wall-clock milliseconds, never repeating. */
  private nextVersion(): number {
    this.lastVersion = Math.max(this.lastVersion + 1, Date.now());
    return this.lastVersion;
  }

  async build(app: string, release: number, web: ProcessInfo[]): Promise<Omit<AppRoute, 'version'>> {
    return {
      app,
      domains: await this.domainsOf(app),
      release,
      backends: web
        .filter((p) => p.port !== undefined)
        .map((p) => ({ process: p.name, container: p.id, host: p.address, port: p.port! }))
        .sort((a, b) => a.process.localeCompare(b.process)),
    };
  }

  async publish(app: string, release: number, web: ProcessInfo[]): Promise<AppRoute> {
    const route: AppRoute = { ...(await this.build(app, release, web)), version: this.nextVersion() };
    await this.store.set(route);
    if (!(await this.store.waitForAck(app, route.version, this.ackTimeoutMs))) {
      this.log.warn({ app, version: route.version }, 'no router acknowledged the route in time');
    }
    return route;
  }

  /** Publishes only when the stored route differs from what is running (or is missing). */
  async ensure(app: string, release: number, web: ProcessInfo[]): Promise<boolean> {
    const want = await this.build(app, release, web);
    const have = await this.store.get(app);
    if (have && have.release === want.release && sameBackends(have, want) && sameList(have.domains, want.domains)) return false;
    await this.publish(app, release, web);
    return true;
  }

  async remove(app: string): Promise<void> {
    await this.store.remove(app);
  }

  async list(): Promise<AppRoute[]> {
    return this.store.list();
  }
}

function sameBackends(a: Pick<AppRoute, 'backends'>, b: Pick<AppRoute, 'backends'>): boolean {
  const key = (r: Pick<AppRoute, 'backends'>): string[] => r.backends.map((x) => `${x.process}@${x.host}:${x.port}`).sort();
  return sameList(key(a), key(b));
}

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
