import type http from 'node:http';
import type http2 from 'node:http2';
import type { AddressInfo, Server } from 'node:net';
import type { Logger, RouteStore } from '@paas/shared';
import { isAcmeChallengeStore, toError } from '@paas/shared';
import type { AccessLogSink } from './access-log.js';
import { BackendPools } from './backend-pools.js';
import { BackendStates, keyOf } from './backend-states.js';
import { createBalancer } from './balancer.js';
import { CertSync } from './cert-sync.js';
import { CertTable, type PemPair } from './cert-table.js';
import { Http2Sessions } from './h2-sessions.js';
import type { RouterConfig } from './config.js';
import { HttpProxy } from './proxy.js';
import { RouterMetrics } from './router-metrics.js';
import type { HttpsRedirect } from './https-redirect.js';
import { selectCodec, type HttpCodec, type RouterFront } from './http-codec.js';
import { createRouterServer, createTlsRouterServer, RouterHandlers } from './router-server.js';
import { RouteSync, type RouteReporter } from './route-sync.js';
import { RouteTable } from './route-table.js';
import { UpgradeProxy } from './upgrade-proxy.js';
import type { InternalAccess } from './internal-access.js';
import { InternalListener } from './internal-listener.js';

export type RouterSettings = Pick<
  RouterConfig,
  | 'port'
  | 'tlsPort'
  | 'host'
  | 'domain'
  | 'resyncMs'
  | 'timeoutMs'
  | 'connectTimeoutMs'
  | 'httpsRedirect'
  | 'maxBodyMb'
  | 'maxHeaderBytes'
  | 'balance'
  | 'ejectAfter'
  | 'ejectMs'
  | 'parser'
>;

export interface RouterDeps {
  settings: RouterSettings;
  store: RouteStore;
  logger: Logger;
  /** Where access lines go (none: no lines). */
  accessLog?: AccessLogSink;
  /** Told what the table serves; default: acknowledge to the store (a cluster worker reports to its primary). */
  reporter?: RouteReporter;
  /** The /metrics text; default: this process's metrics (a cluster worker asks its primary for everyone's). */
  metricsText?: (metrics: RouterMetrics) => Promise<{ contentType: string; text: string }>;
  /** The platform certificate for `*.<domain>`, when configured. */
  platformCert?: PemPair;
  /** Opens the apps' sealed private keys; none: app certificates cannot be loaded. */
  openKey?: (sealed: string) => string;
  /** Retry delay after a failed sync (ms); default 1000. */
  retryMs?: number;
  /** The HTTP/1.1 codec; default: the one `settings.parser` selects (logged). */
  codec?: HttpCodec;
  /** The internal listener (apps calling each other's internal names); none: not served. */
  internal?: { access: InternalAccess; port: number; host: string; domain: string };
}

/**
 * One router process, wired by hand: the route table and its sync, the certificates and theirs, the
 * balancer and backend states, the proxies, the metrics and the HTTP and HTTPS servers. `start` syncs
 * before listening, so a (re)started worker never answers from an empty table while the store is up.
 */
export class RouterInstance {
  readonly table = new RouteTable();
  readonly certs: CertTable;
  readonly sync: RouteSync;
  readonly certSync: CertSync;
  readonly states: BackendStates;
  readonly metrics: RouterMetrics;
  readonly pools: BackendPools;
  readonly upgrades: UpgradeProxy;
  /** The HTTP/1.1 codec in use (PAAS_ROUTER_PARSER). */
  readonly codec: HttpCodec;
  /** node's HTTP server: on the plain HTTP port, or serving what the native codec's front hands it (see http-codec.ts). */
  readonly http: http.Server;
  /** The plain HTTP port. */
  readonly front: RouterFront;
  /** HTTPS: HTTP/2 or HTTP/1.1, as the client offers (ALPN). */
  readonly https: http2.Http2SecureServer;
  private readonly tlsConnections: Http2Sessions;
  /** Apps' calls to `<app>.<PAAS_INTERNAL_DOMAIN>`, when configured. */
  readonly internal: InternalListener | undefined;
  private housekeeping: NodeJS.Immediate | undefined;

  constructor(private readonly deps: RouterDeps) {
    const { settings: s, logger } = deps;
    this.codec = deps.codec ?? selectCodec(s.parser, logger);
    this.certs = new CertTable(deps.openKey ?? noKeys);
    if (deps.platformCert) this.certs.setPlatform(deps.platformCert);
    this.states = new BackendStates({ ejectAfter: s.ejectAfter, ejectMs: s.ejectMs });
    this.sync = new RouteSync(deps.store, this.table, {
      logger,
      resyncMs: s.resyncMs,
      retryMs: deps.retryMs,
      reporter: deps.reporter,
      onTableChange: () => (this.housekeeping ??= setImmediate(() => this.dropGoneBackends())),
    });
    this.certSync = new CertSync(deps.store, this.certs, { logger, resyncMs: s.resyncMs, retryMs: deps.retryMs });
    const balancer = createBalancer(s.balance, this.states);
    this.metrics = new RouterMetrics({ routes: () => this.table.size, ejectedBackends: () => this.states.ejected(), tunnels: () => this.upgrades.open });
    this.upgrades = new UpgradeProxy({ balancer, states: this.states, timeoutMs: s.timeoutMs, connectTimeoutMs: s.connectTimeoutMs, logger, metrics: this.metrics });
    this.pools = new BackendPools({ connectTimeoutMs: s.connectTimeoutMs, timeoutMs: s.timeoutMs, client: this.codec.backendClient });
    const proxy = new HttpProxy({
      pools: this.pools,
      balancer,
      states: this.states,
      maxBodyBytes: s.maxBodyMb * 1024 * 1024,
      logger,
      metrics: this.metrics,
    });
    const metricsText = deps.metricsText ?? localMetrics;
    const options = {
      table: this.table,
      status: { synced: () => this.sync.synced, apps: () => this.table.size, metrics: () => metricsText(this.metrics) },
      domain: s.domain,
      proxy,
      upgrades: this.upgrades,
      logger,
      accessLog: deps.accessLog,
      metrics: this.metrics,
      maxHeaderBytes: s.maxHeaderBytes,
      // Per app (its route's httpsRedirect) or for all (PAAS_ROUTER_HTTPS_REDIRECT).
      httpsRedirect: this.redirect(s.httpsRedirect),
      // Automatic certificates: the platform's HTTP-01 challenges, from the store the routes come from.
      ...(isAcmeChallengeStore(deps.store) ? { acme: deps.store } : {}),
    };
    const handlers = new RouterHandlers(options);
    this.http = createRouterServer(options, handlers);
    this.front = this.codec.createFront({ handlers, server: this.http, maxHeaderBytes: s.maxHeaderBytes, onConnection: handlers.connection });
    this.https = createTlsRouterServer(
      { ...options, httpsRedirect: undefined },
      {
        ...(deps.platformCert ? { cert: deps.platformCert.cert, key: deps.platformCert.key } : {}),
        SNICallback: (servername, cb) => {
          // Only the certificates of the app the name routes to (see CertTable).
          const name = hostOfServername(servername);
          const context = this.certs.contextFor(name, this.table.lookup(name)?.app);
          if (context) cb(null, context);
          else cb(new Error(`no certificate for ${servername}`));
        },
      },
    );
    this.tlsConnections = new Http2Sessions(this.https);
    if (deps.internal) {
      this.internal = new InternalListener({
        table: this.table,
        access: deps.internal.access,
        domain: deps.internal.domain,
        proxy,
        upgrades: this.upgrades,
        logger,
        metrics: this.metrics,
        maxHeaderBytes: s.maxHeaderBytes,
      });
    }
  }

  /** Syncs routes and certificates, then listens; resolves with the ports (useful with port 0). */
  async start(): Promise<{ port: number; tlsPort: number; internalPort?: number }> {
    const internal = this.deps.internal;
    await Promise.all([this.sync.start(), this.certSync.start(), internal?.access.start()]);
    const { host, port, tlsPort } = this.deps.settings;
    const ports = { port: await listen(this.front.server, port, host), tlsPort: await listen(this.https, tlsPort, host) };
    this.tlsPort = ports.tlsPort;
    if (this.internal && internal) return { ...ports, internalPort: await listen(this.internal.server, internal.port, internal.host) };
    return ports;
  }

  /** The HTTPS port as listened on (the configured one, unless that was 0). */
  private tlsPort = 0;

  private redirect(all: boolean): HttpsRedirect {
    const self = this;
    return {
      all,
      get port() {
        return self.tlsPort || self.deps.settings.tlsPort;
      },
      covers: (host, app) => this.certs.covers(host, app),
    };
  }

  /**
   * Stops: no new connections, in-flight requests get `graceMs` to finish, then everything closes;
   * the access log is flushed.
   */
  async stop(graceMs: number): Promise<void> {
    const servers = [...new Set<Server>([this.front.server, this.http, this.https, ...(this.internal ? [this.internal.server] : [])])];
    const closed = Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    this.front.closeIdle();
    this.http.closeIdleConnections();
    this.internal?.server.closeIdleConnections();
    this.tlsConnections.closeIdle();
    const grace = setTimeout(() => {
      this.deps.logger.warn('grace period over: closing remaining connections');
      this.front.closeAll();
      this.http.closeAllConnections();
      this.internal?.server.closeAllConnections();
      this.tlsConnections.closeAll();
      this.upgrades.closeAll();
    }, graceMs);
    await Promise.all([this.sync.stop(), this.certSync.stop(), this.deps.internal?.access.stop()]);
    await closed;
    clearTimeout(grace);
    clearImmediate(this.housekeeping);
    await this.pools.destroy(this.states.prune(new Set()));
    await this.deps.accessLog?.close().catch((err: unknown) => this.deps.logger.warn({ err: toError(err) }, 'flushing access lines failed'));
  }

  /**
   * After a route change: close the pools of backends no route has any more (requests in flight on
   * them finish first: that is the draining) and forget them.
   */
  private dropGoneBackends(): void {
    this.housekeeping = undefined;
    const live = new Set<string>();
    for (const app of this.table.apps()) for (const b of this.table.get(app)?.backends ?? []) live.add(keyOf(b));
    this.pools.drain(this.states.prune(live));
  }
}

async function localMetrics(metrics: RouterMetrics): Promise<{ contentType: string; text: string }> {
  return { contentType: metrics.registry.contentType, text: await metrics.registry.metrics() };
}

/** A TLS server name as the route table compares hosts: lowercase, without a trailing dot. */
function hostOfServername(servername: string): string {
  const name = servername.toLowerCase();
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

function noKeys(): string {
  throw new Error('the router has no PAAS_SECRET to open app certificate keys with');
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
