/** Every Redis key the platform uses, under one prefix so tests and platforms can share a server. */
export class RedisKeys {
  constructor(readonly prefix: string) {}

  /** BullMQ's own prefix. */
  get bull(): string {
    return `${this.prefix}:bull`;
  }
  /**
   * BullMQ's lock on a running build job (the job id is the build id): held by the builder running it
   * and renewed while it lives; it expires (30 s) when that builder dies.
   */
  buildJobLock(buildId: string): string {
    return `${this.bull}:${buildQueueName}:${buildId}:lock`;
  }
  /** The output of a build made through the API, as its output_stream_url streams it (the controller's lines and the builder's). */
  buildOutput(buildId: string): string {
    return `${this.prefix}:build:${buildId}:output`;
  }

  buildLog(buildId: string): string {
    return `${this.prefix}:build:${buildId}:log`;
  }
  /** Set by the controller to cancel a running build (the git client went away); the builder watches it. */
  buildCancel(buildId: string): string {
    return `${this.prefix}:build:${buildId}:cancel`;
  }
  /** An app's build cache generation: purging the cache increments it, and builders drop older caches. */
  buildCacheEpoch(app: string): string {
    return `${this.prefix}:build-cache:${app}:epoch`;
  }
  /** An ACME HTTP-01 challenge's key authorization, by token (expires with the order's validation). */
  acmeChallenge(token: string): string {
    return `${this.prefix}:acme:challenge:${token}`;
  }
  /** A log session (Heroku's logplex_url) by the SHA-256 of its token: single-use, expires. */
  logSession(tokenHash: string): string {
    return `${this.prefix}:log-session:${tokenHash}`;
  }
  get routes(): string {
    return `${this.prefix}:routes`;
  }
  /** Pub/sub: the name of each app whose route changed (read it back from the hash). */
  get routesChanged(): string {
    return `${this.prefix}:routes:changed`;
  }
  /** Pub/sub: each change with the app's new route (JSON `{app, route}`; route null when removed). */
  get routesAnnounced(): string {
    return `${this.prefix}:routes:announced`;
  }
  /** The id of the last whole route table written (RouteStore.replaceAll); gone when Redis came back empty. */
  get routesEpoch(): string {
    return `${this.prefix}:routes:epoch`;
  }
  routeAck(app: string): string {
    return `${this.prefix}:routes:ack:${app}`;
  }
  /** Hash of `<host> <subnet>` → app: each app network's subnet on each host (internal-access.ts). */
  get internalSubnets(): string {
    return `${this.prefix}:internal:subnets`;
  }
  /** Hash of target app → JSON array of the source apps its owner allows to reach it by its internal name. */
  get internalAllowed(): string {
    return `${this.prefix}:internal:allowed`;
  }
  /** Pub/sub: the internal access table changed (the routers read it again). */
  get internalChanged(): string {
    return `${this.prefix}:internal:changed`;
  }
  /** Hash of certificate id → JSON CertEntry, for the routers. */
  get certs(): string {
    return `${this.prefix}:certs`;
  }
  get certsChanged(): string {
    return `${this.prefix}:certs:changed`;
  }
  /** An app's log stream (router access lines now; app and platform lines later). */
  appLogs(app: string): string {
    return `${this.prefix}:logs:${app}`;
  }
  /** Hash of container id → Docker timestamp of the last line the log collector stored, per host. */
  logCursors(host: string): string {
    return `${this.prefix}:logs-cursors:${host}`;
  }
  /** Hash of host → JSON: each host's supervised platform processes (platform-status.ts). */
  get platformStatus(): string {
    return `${this.prefix}:platform-status`;
  }
  /** Hash of a log drain's delivery state: cursor, sequence, delivered and dropped counts. */
  drainState(drainId: string): string {
    return `${this.prefix}:drains:${drainId}`;
  }
}

export const buildQueueName = 'builds';
