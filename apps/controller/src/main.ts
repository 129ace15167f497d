import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { Server } from 'node:http';
import { Redis } from 'ioredis';
import { Queue } from 'bullmq';
import Docker from 'dockerode';
import {
  DiskGuard,
  EgressGuard,
  PlatformStatusBoard,
  RedisKeys,
  RedisRouteStore,
  SecretBox,
  RedisInternalAccess,
  type InternalSubnet,
  SupervisorBeacon,
  buildEnvBox,
  buildQueueName,
  createLogger,
  dockerOptions,
  ImageRegistry,
  registrySettings,
  exitOnFatalErrors,
  supervisorStateFile,
  type BuildJobData,
} from '@paas/shared';
import { loadConfig, webUrl } from './config.js';
import { migratePlatform } from './db/platform-migrations.js';
import { DatabasePool } from './db/database-pool.js';
import { failAbandonedBuilds } from './db/builds.js';
import { failAbandonedReleases } from './db/releases.js';
import { createAccessServices } from './auth/access-services.js';
import { TokenService } from './auth/token-service.js';
import { ClusterRuntime } from './scheduler/cluster-runtime.js';
import type { RuntimeBackend } from './runtime/runtime-backend.js';
import { swarmRuntime } from './runtime/swarm/swarm-wiring.js';
import { ClusterFirewall } from './runtime/cluster-firewall.js';
import { insertHost, listHosts } from './db/hosts.js';
import { RoutePublisher } from './deploy/route-publisher.js';
import { RouteEpochGuard } from './deploy/route-epoch-guard.js';
import { AppLocks } from './deploy/app-lock.js';
import { ImageRetention } from './deploy/image-retention.js';
import { Deployer } from './deploy/deployer.js';
import { httpProbe } from './deploy/probe.js';
import { ReleaseService } from './deploy/release-service.js';
import { ReleasePhase } from './deploy/release-phase.js';
import { CronScheduler } from './deploy/cron-scheduler.js';
import { OneOffService } from './deploy/one-off-service.js';
import { applyAppJsonFormation } from './deploy/app-json-setup.js';
import { AppRenameService } from './deploy/app-rename.js';
import { RepoManager } from './git/repo-manager.js';
import { PendingPushes } from './git/git-http.js';
import { createHttpApp } from './api/http-app.js';
import { createWebhooks } from './webhooks/webhook-wiring.js';
import { SourceBuilds } from './deploy/source-build.js';
import type { PublishedEvent } from './webhooks/webhook-service.js';
import { VulnService } from './vulns/vuln-service.js';
import { createApiServer } from './api/http-server.js';
import { hostnamesOfApp } from './db/domains.js';
import { findAppByName } from './db/apps.js';
import { routeSettingsOfApp } from './db/router-settings.js';
import { internalNamesFor } from './db/internal-access.js';
import { hardeningOfApp } from './db/app-hardening.js';
import { InternalAccessService } from './network/internal-access-service.js';
import { publishEngineSubnets } from './runtime/internal-names.js';
import { DomainService } from './domains/domain-service.js';
import { CertResync, CertService } from './domains/cert-service.js';
import { reportOwnershipViolations } from './domains/ownership-check.js';
import { createObservability } from './metrics/observability.js';
import { MeteredPushService } from './metrics/metered-push-service.js';
import { MeteredReconciler } from './metrics/metered-reconciler.js';
import { DiskWatch } from './deploy/disk-watch.js';
import { PlatformStatus, platformVersion } from './status/platform-status.js';
import { createAddons } from './addons/addon-wiring.js';
import { VolumeService } from './volumes/volume-service.js';
import { AcmeRenewer, AcmeService } from './acme/acme-service.js';
import { trustAcmeCa } from './acme/acme-wiring.js';
import { HostProvisioner } from './provision/host-provisioner.js';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const log = createLogger('controller', config.logLevel);
  exitOnFatalErrors(log);

  const pool = new DatabasePool({ connectionString: config.databaseUrl, max: 20 }, log);
  const access = createAccessServices(pool, config, log);
  // Refuses a PAAS_SECRET that cannot open the config stored (SecretMismatchError names the way out).
  const applied = await migratePlatform(pool, access.cipher);
  if (applied.length) log.info({ applied }, 'migrations applied');
  // Domains and certificates stored before the ownership rules that break them (issue 14), reported.
  await reportOwnershipViolations(pool, config.domain, log);
  // This controller's id: the holder of the leases on the builds its pushes drive.
  const controllerId = `${config.hostName}/${process.pid}/${randomUUID().slice(0, 8)}`;

  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
  redis.on('error', (err) => log.warn({ err }, 'redis connection error'));
  const keys = new RedisKeys(config.redisPrefix);
  const queue = new Queue<BuildJobData>(buildQueueName, { connection: redis, prefix: keys.bull });

  // The engine the builder builds in; registered as the first host when there is none.
  const docker = new Docker(dockerOptions(config.dockerHost));
  if ((await listHosts(pool)).length === 0) {
    await docker.ping();
    await insertHost(pool, {
      name: config.hostName,
      dockerUrl: config.dockerHost ?? 'unix:///var/run/docker.sock',
      address: config.backendHost,
      capacityMemoryMb: null,
      labels: {},
      tls: null,
    }).catch(() => undefined); // another controller registered it first
  }
  // Service discovery: who may call whom at `<app>.<PAAS_INTERNAL_DOMAIN>`, for the routers (issue 14).
  const internalTable = new RedisInternalAccess(redis, keys);
  const network = new InternalAccessService({ pool, publisher: internalTable, audit: access.audit, log, internalDomain: config.internal.domain });
  // The registry release images go through (PAAS_REGISTRY; npm run up starts an embedded one).
  const registry = registrySettings(config.registry);
  const imageRegistry = registry ? new ImageRegistry(registry) : undefined;
  // Hosts provisioned over SSH (hosts:provision): paas's CA, their sealed credentials.
  const provisioner = new HostProvisioner({ pool, secret: config.secret, ...(registry ? { registry } : {}), log: log.child({ component: 'provisioner' }) });
  const hostsRuntime = new ClusterRuntime({
    pool,
    hostCredentials: provisioner.credentials,
    ...(imageRegistry ? { imageRegistry } : {}),
    exceptions: (app: string) => hardeningOfApp(pool, app),
    ...(config.internal.port === 0
      ? {}
      : {
          internal: {
            domain: config.internal.domain,
            names: (app: string) => internalNamesFor(pool, app),
            networkReady: (subnet: InternalSubnet) => internalTable.setSubnet(subnet),
          },
        }),
    cluster: config.cluster,
    imageSource: docker,
    localPublishAddress: config.containerAddress,
    defaultMemoryMb: config.defaultMemoryMb,
    pidsLimit: config.appPidsLimit,
    networkPool: config.networkPool,
    failuresBeforeDown: 2,
    log,
  });
  await hostsRuntime.checkHealth();
  await hostsRuntime.ping();
  // Where apps' processes run: the registered hosts (placement by paas), or a Docker Swarm (PAAS_RUNTIME=swarm).
  const swarm = config.runtime.kind === 'swarm' ? swarmRuntime(config, config.runtime.manager, docker, log, (app: string) => hardeningOfApp(pool, app)) : undefined;
  const runtime: RuntimeBackend = swarm?.runtime ?? hostsRuntime;
  await runtime.ping();
  // The firewall between apps, builds and the host, on this machine's engine, before anything starts.
  // Apps reach the add-on servers (their addresses and ports only) through it: kept fresh by the add-on check below.
  let addonEndpoints: { address: string; port: number }[] = [];
  const firewall = new ClusterFirewall({
    config,
    engines: () => hostsRuntime.engines(),
    imageSource: docker,
    log: log.child({ component: 'host-firewall' }),
    services: () => addonEndpoints,
  });
  await firewall.check();
  firewall.start();
  // The routers' copy of the internal access table: whole at start and every reconcile interval.
  const publishInternal = (): Promise<void> =>
    Promise.all([network.publishAll(), publishEngineSubnets(hostsRuntime.engines(), config.cluster, internalTable)])
      .then(() => undefined)
      .catch((err: unknown) => log.warn({ err }, 'publishing the internal access table failed'));
  await publishInternal();
  const internalResync = setInterval(() => void publishInternal(), config.reconcileIntervalMs);
  internalResync.unref();
  // App logs (streams, collector, drains, platform events) and Prometheus metrics.
  // One egress guard for every URL the platform reaches on a user's behalf (drains, buildpack URLs).
  const egress = new EgressGuard(config.egress);
  // A process killed from outside is replaced when its engine says so, not only at the next reconcile.
  let replaceAbandoned: (app: string) => void = () => undefined;
  const observability = createObservability({
    config,
    pool,
    redis,
    keys,
    queue,
    hosts: () => (swarm ? [...hostsRuntime.hosts(), ...swarm.runtime.logHosts()] : hostsRuntime.hosts()),
    log,
    egress,
    onProcessAbandoned: (app) => replaceAbandoned(app),
  });

  const routeStore = new RedisRouteStore(redis, keys);
  // Redis coming back empty: the routers keep their tables and this writes the whole table back at once.
  let reconcileAll: () => Promise<void> = async () => undefined;
  let restoreCerts: () => Promise<unknown> = async () => undefined;
  const routeGuard = new RouteEpochGuard({
    store: routeStore,
    log: log.child({ component: 'route-epoch' }),
    reconcile: () => reconcileAll(),
    restoreFirst: () => restoreCerts(),
  });
  redis.on('ready', () => void routeGuard.check());
  const routes = new RoutePublisher(routeGuard.mirrored(), config.domain, 3000, log, (app) => hostnamesOfApp(pool, app), (app) => routeSettingsOfApp(pool, app));
  const locks = new AppLocks(pool);
  const deployer = new Deployer({
    pool,
    runtime,
    routes,
    locks,
    probe: httpProbe,
    log,
    bootTimeoutMs: config.bootTimeoutMs,
    maxBootMs: config.maxBootSeconds * 1000,
    stopGraceSeconds: config.stopGraceSeconds,
    drainMs: config.drainMs,
    releasePhaseMs: config.releasePhaseTimeoutMs,
    defaultChecksWaitSeconds: config.defaultChecksWaitSeconds,
    cipher: access.cipher,
    events: observability.logs.events,
    defaultMemoryMb: (quotaMb) => access.quotas.processMemory(quotaMb, config.defaultMemoryMb),
    controllerId,
    images: new ImageRetention({ pool, runtime, keep: config.releaseImagesKept, ...(imageRegistry ? { registry: imageRegistry } : {}), log: log.child({ component: 'image-retention' }) }),
  });
  replaceAbandoned = (name) => {
    void findAppByName(pool, name)
      .then((row) => (row ? deployer.reconcile(row) : undefined))
      .catch((err: unknown) => log.warn({ app: name, err: (err as Error).message }, 'could not replace a killed process'));
  };
  const platformOneOffs = new OneOffService({ pool, cipher: access.cipher, runtime, log, quotas: access.quotas, defaultMemory: (a) => deployer.defaultMemory(a) });
  const releasePhase = new ReleasePhase({
    pool,
    oneOffs: platformOneOffs,
    timeoutMs: config.releasePhaseTimeoutMs,
    log: log.child({ component: 'release-phase' }),
    onFirstDeploy: (a, release, say) => applyAppJsonFormation({ pool, quotas: access.quotas, formation: access.formation, reconcile: (x) => deployer.reconcile(x) }, a, release, say),
  });
  // Extra CA certificates that webhook receivers and source tarball servers are trusted with (as drains).
  const egressCa = config.logs.drainCaFile ? readFileSync(config.logs.drainCaFile) : undefined;
  // App webhooks: the audit log's committed changes, releases and builds, delivered from BullMQ.
  const webhooks = createWebhooks({
    pool,
    redis,
    keys,
    cipher: access.cipher,
    guard: egress,
    audit: access.audit,
    settings: config.webhooks,
    ca: egressCa,
    log,
  });
  const publishWebhook = (e: PublishedEvent): Promise<void> => webhooks.service.publish(e);
  const releases = new ReleaseService(pool, deployer, access.cipher, releasePhase, publishWebhook);
  const addons = createAddons({
    config: config.addons,
    pool,
    cipher: access.cipher,
    releaseConfigChange: (a, d, u) => releases.releaseConfigChange(a, d, u),
    log,
    containers: { docker, cluster: config.cluster, bindAddress: config.addons.publicHost && isIP(config.addons.publicHost) ? config.addons.publicHost : config.containerAddress },
  });
  // Redis forgets ACL users it keeps no file of: the add-ons' users are made again (at start, then
  // every reconcile interval).
  const ensureAddons = (): void =>
    void addons.addons
      .ensureAll()
      .then(() => addons.addons.endpoints())
      .then((endpoints) => void (addonEndpoints = endpoints))
      .catch((err: unknown) => log.warn({ err }, 'could not check the add-ons on their servers'));
  addonEndpoints = await addons.addons.endpoints();
  ensureAddons();
  const addonCheck = setInterval(ensureAddons, config.reconcileIntervalMs);
  addonCheck.unref();
  // app.json cron entries: every controller schedules, each tick runs once (claimed in PostgreSQL).
  const cron = new CronScheduler({ pool, oneOffs: platformOneOffs, events: observability.logs.events, log: log.child({ component: 'cron' }), timeoutMs: config.releasePhaseTimeoutMs });
  const repos = new RepoManager(config.reposDir, { maxPushBytes: config.maxPushBytes });
  // Derived from the platform secret, so every controller sharing PAAS_HOME agrees on it.
  const hookToken = createHmac('sha256', config.secret).update('paas git hook').digest('hex');
  const internalHost = config.api.host === '0.0.0.0' || config.api.host === '::' ? '127.0.0.1' : config.api.host;
  await repos.writeHookSettings({ url: `http://${internalHost}:${config.api.port}`, token: hookToken });
  await repos.installAllHooks();

  const vulns = new VulnService({ pool, log: log.child({ component: 'vulns' }), platformPolicy: config.vulnPolicy });
  const pushService = new MeteredPushService(observability.metrics, {
    vulns,
    pool,
    redis,
    keys,
    queue,
    releases,
    buildsDir: config.buildsDir,
    publish: publishWebhook,
    buildTimeoutMs: config.buildTimeoutMs,
    maxPushBytes: config.maxPushBytes,
    maxBootSeconds: config.maxBootSeconds,
    webUrl: (app) => webUrl(config, app),
    log,
    quotas: access.quotas,
    cipher: access.cipher,
    buildEnvBox: buildEnvBox(config.secret),
    controllerId,
    disk: new DiskGuard({ paths: [config.buildsDir, config.reposDir], minFreeBytes: config.minFreeDiskBytes }),
  });
  // Builds and deploys whose controller died (their lease ran out), now and on every reconcile
  // interval: a build fails with that reason and its builder is told to stop; a deploy is rolled
  // back (its release fails, its processes stop; the release before kept serving). What a live
  // controller drives (this one's or another's) is left alone.
  const sweepAbandoned = async (): Promise<void> => {
    const builds = await failAbandonedBuilds(pool);
    if (builds.length) log.warn({ builds }, 'builds whose controller was lost marked failed');
    for (const id of builds) await pushService.builds.cancel(id, 'the controller running the build was lost');
    const releases = await failAbandonedReleases(pool);
    for (const r of releases) {
      const app = await findAppByName(pool, r.app);
      if (!app) continue;
      log.warn({ app: app.name, release: r.version }, 'deploy whose controller was lost rolled back');
      await observability.logs.events.releaseFailed(app.name, r, 'the controller deploying it was lost; rolled back').catch(() => undefined);
      await deployer.reconcile(app, { wait: true }).catch((err: unknown) => log.warn({ app: app.name, err }, 'rollback of a lost deploy failed'));
    }
  };
  await sweepAbandoned();
  const buildSweep = setInterval(() => void sweepAbandoned().catch((err: unknown) => log.warn({ err }, 'sweep of lost builds and deploys failed')), config.reconcileIntervalMs);

  const diskWatch = new DiskWatch({
    runtime,
    events: observability.logs.events,
    limitBytes: config.maxProcessDiskBytes,
    stopGraceSeconds: config.stopGraceSeconds,
    log: log.child({ component: 'disk-watch' }),
  });
  const reconciler = new MeteredReconciler(pool, deployer, routes, config.reconcileIntervalMs, log, (complete) => routeGuard.passed(complete))
    .meter(observability.metrics)
    .firstInEachPass(() => diskWatch.runOnce());
  reconcileAll = () => reconciler.runOnce({ wait: true });
  const certs = new CertService({ pool, store: routeStore, box: new SecretBox(config.secret), platformDomain: config.domain, log });
  restoreCerts = () => certs.syncAll();
  // Redis keeps nothing on disk: certificates are republished on the reconcile interval, like routes.
  const certResync = new CertResync(certs, config.reconcileIntervalMs, log);
  // Automatic certificates: HTTP-01 challenges through the route store the routers read.
  trustAcmeCa(config.acme);
  const acmeService = new AcmeService({
    pool,
    cipher: access.cipher,
    certs,
    challenges: routeStore,
    directoryUrl: config.acme.directoryUrl,
    ...(config.acme.email ? { email: config.acme.email } : {}),
    renewBeforeMs: config.acme.renewBeforeMs,
    log: log.child({ component: 'acme' }),
  });
  const acmeRenewer = new AcmeRenewer(acmeService, config.acme.intervalMs);
  // This host's supervised processes for every controller's admin:status (paas admin:status).
  const stateFile = supervisorStateFile(config.home);
  const statusBoard = new PlatformStatusBoard(redis, keys);
  const beacon = new SupervisorBeacon({ board: statusBoard, stateFile, log });
  const app = createHttpApp({
    config,
    cliTarball: config.cliTarball,
    pool,
    tokens: new TokenService(pool, config.secret, config.jwtTtl),
    access,
    repos,
    pushes: new PendingPushes(),
    deployer,
    releases,
    pushService,
    runtime,
    cluster: hostsRuntime,
    reconcileAll: () => reconciler.runOnce({ wait: true }),
    hookToken,
    domains: new DomainService({ pool, platformDomain: config.domain, republish: (a) => deployer.reconcile(a) }),
    certs,
    network,
    log,
    logs: observability.logs,
    egress,
    metrics: observability.metrics,
    status: new PlatformStatus({ stateFile, version: await platformVersion(), board: statusBoard }),
    ...addons,
    vulns,
    vulnDbMaxBytes: config.vulnDbMaxBytes,
    acme: acmeService,
    renames: new AppRenameService({
      pool,
      locks,
      runtime,
      repos,
      routes,
      reconcile: (a, replace) => deployer.reconcile(a, { wait: true, ...(replace ? { replace } : {}) }),
      certs,
      network,
      logs: observability.logs,
      redis,
      keys,
      audit: access.audit,
      log,
    }),
    buildLogs: { reader: () => redis.duplicate(), key: (id) => keys.buildLog(id) },
    ...(config.consoleDir ? { consoleDir: config.consoleDir } : {}),
    webhooks: webhooks.service,
    sourceBuilds: new SourceBuilds({ pushService, guard: egress, cipher: access.cipher, apiUrl: config.api.url, ca: egressCa, audit: access.audit, log }),
    provisioner,
    volumes: new VolumeService({
      pool,
      runtime,
      hosts: () => hostsRuntime.engines().map((e) => e.row.name),
      policy: config.volumes,
      releaseConfigChange: (a, d, u) => releases.releaseConfigChange(a, d, u),
      log,
    }),
  });
  // Deadlines for what clients send (headers, bodies, idle connections); answers, such as a push's
  // build output, stream for as long as they take. Upgrades (paas run) are served here too.
  const server: Server = createApiServer(app, log);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.api.port, config.api.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => log.error({ err }, 'api server error'));
  log.info({ url: config.api.url, port: config.api.port }, 'controller listening');

  reconciler.start();
  // On Swarm the engine moves processes by itself (a node lost, a crash): the routes follow at once.
  swarm?.watch.start((app) => replaceAbandoned(app));
  routeGuard.start();
  certResync.start();
  acmeRenewer.start();
  cron.start();
  observability.start();
  beacon.start();
  // Host health: a host that stops answering is marked down and its processes are placed elsewhere.
  let checking = false;
  const hostCheck = setInterval(() => {
    if (checking) return;
    checking = true;
    hostsRuntime
      .checkHealth()
      .then((changed) => (changed.length ? Promise.all([observability.logs.hostsChanged(changed), reconciler.runOnce({ wait: true })]) : undefined))
      .catch((err: unknown) => log.error({ err }, 'host health check failed'))
      .finally(() => (checking = false));
  }, config.hostCheckIntervalMs);

  let stopping = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    server.close();
    clearInterval(hostCheck);
    swarm?.watch.stop();
    clearInterval(buildSweep);
    clearInterval(addonCheck);
    clearInterval(internalResync);
    beacon.stop();
    await reconciler.stop();
    await routeGuard.stop();
    await cron.stop();
    await firewall.stop();
    await deployer.settle();
    await certResync.stop();
    await acmeRenewer.stop();
    await observability.stop();
    await webhooks.close();
    await queue.close();
    redis.disconnect();
    await pool.end();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  console.error(`controller: ${(err as Error).message}`);
  process.exit(1);
});
