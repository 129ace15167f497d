import type { AppRoute, RouteStore, Logger } from '@paas/shared';
import type { ProcessInfo } from '../runtime/runtime-backend.js';

/** An app's router settings as its route carries them (see db/router-settings.ts). */
export interface RouteSettings {
  httpsRedirect: boolean;
  /** null: the router's default. */
  maxBodyMb: number | null;
  /** Maintenance mode: the routers answer 503 with a maintenance page (see maintenance-service.ts). */
  maintenance?: boolean;
  /** The app's own maintenance page (HTML); null: the router's. */
  maintenancePage?: string | null;
}

/** An app's custom domains and router settings, read by the caller with its other state. */
export interface KnownRoute {
  customDomains: string[];
  settings: RouteSettings;
}

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
    /** The app's router settings (`paas router:set`), published in its route. */
    private readonly settings: (app: string) => Promise<RouteSettings> = async () => ({ httpsRedirect: false, maxBodyMb: null }),
  ) {}

  /** `<app>.<domain>` first, then the custom domains in name order. */
  async domainsOf(app: string, custom?: string[]): Promise<string[]> {
    const own = `${app}.${this.domain}`;
    return [own, ...(custom ?? (await this.customDomains(app))).filter((d) => d !== own).sort()];
  }

  /** Versions grow across controller restarts: wall-clock milliseconds, never repeating. */
  private nextVersion(): number {
    this.lastVersion = Math.max(this.lastVersion + 1, Date.now());
    return this.lastVersion;
  }

  /** The app's route; `known` gives its custom domains and settings when the caller has read them. */
  async build(app: string, release: number, web: ProcessInfo[], known?: KnownRoute): Promise<Omit<AppRoute, 'version'>> {
    const [domains, settings] = await Promise.all([this.domainsOf(app, known?.customDomains), known?.settings ?? this.settings(app)]);
    return {
      app,
      domains,
      ...(settings.maxBodyMb !== null ? { maxBodyMb: settings.maxBodyMb } : {}),
      ...(settings.httpsRedirect ? { httpsRedirect: true } : {}),
      ...(settings.maintenance ? { maintenance: settings.maintenancePage ? { page: settings.maintenancePage } : {} } : {}),
      release,
      backends: web
        .filter((p) => p.port !== undefined)
        .map((p) => ({ process: p.name, container: p.id, host: p.address, port: p.port! }))
        .sort((a, b) => a.process.localeCompare(b.process)),
    };
  }

  async publish(app: string, release: number, web: ProcessInfo[], known?: KnownRoute): Promise<AppRoute> {
    const route: AppRoute = { ...(await this.build(app, release, web, known)), version: this.nextVersion() };
    await this.store.set(route);
    if (!(await this.store.waitForAck(app, route.version, this.ackTimeoutMs))) {
      this.log.warn({ app, version: route.version }, 'no router acknowledged the route in time');
    }
    return route;
  }

  /** Publishes only when the stored route differs from what is running (or is missing). */
  async ensure(app: string, release: number, web: ProcessInfo[], known?: KnownRoute): Promise<boolean> {
    const [want, have] = await Promise.all([this.build(app, release, web, known), this.store.get(app)]);
    if (have && have.release === want.release && sameBackends(have, want) && sameList(have.domains, want.domains) && sameSettings(have, want)) return false;
    await this.publish(app, release, web, known);
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

type Settings = Pick<AppRoute, 'maxBodyMb' | 'httpsRedirect' | 'maintenance'>;

function sameSettings(a: Settings, b: Settings): boolean {
  return (
    a.maxBodyMb === b.maxBodyMb &&
    (a.httpsRedirect ?? false) === (b.httpsRedirect ?? false) &&
    (a.maintenance !== undefined) === (b.maintenance !== undefined) &&
    a.maintenance?.page === b.maintenance?.page
  );
}

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
