/**
 * The embedded registry's process (scripts/up.sh runs it under the supervisor as `registry`): writes
 * the registry's credentials and, for a cluster, its TLS certificate from paas's CA, runs Debian's
 * docker-registry (embedded-registry.ts) and collects its garbage every PAAS_REGISTRY_GC_INTERVAL
 * seconds (or at once on SIGUSR2). It exits when the registry does, and the supervisor starts it again.
 */
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import pg from 'pg';
import { createLogger, exitOnFatalErrors } from '@paas/shared';
import { loadPlatformCa } from '../db/platform-ca.js';
import { EmbeddedRegistry } from './embedded-registry.js';
import { loadRegistryConfig } from './registry-config.js';

async function main(): Promise<void> {
  const config = loadRegistryConfig(process.env);
  const log = createLogger('registry', config.logLevel);
  exitOnFatalErrors(log);
  await mkdir(config.dir, { recursive: true, mode: 0o700 });
  await chmod(config.dir, 0o700);

  let htpasswdFile: string | undefined;
  if (config.credentials) {
    htpasswdFile = join(config.dir, 'htpasswd');
    const hash = bcrypt.hashSync(config.credentials.password, 10);
    await writeFile(htpasswdFile, `${config.credentials.username}:${hash}\n`, { mode: 0o600 });
  }

  let tls: { certFile: string; keyFile: string } | undefined;
  if (config.tls) {
    const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 1 });
    try {
      const ca = await loadPlatformCa(pool, config.secret!);
      const server = await ca.issueServer(config.tlsNames);
      const dir = join(config.dir, 'tls');
      await mkdir(dir, { recursive: true, mode: 0o700 });
      tls = { certFile: join(dir, 'server.crt'), keyFile: join(dir, 'server.key') };
      await writeFile(tls.certFile, server.cert, { mode: 0o600 });
      await writeFile(tls.keyFile, server.key, { mode: 0o600 });
      // What Docker engines install as /etc/docker/certs.d/<registry>/ca.crt, and PAAS_REGISTRY_CA_FILE.
      await writeFile(join(dir, 'ca.crt'), ca.cert, { mode: 0o644 });
      log.info({ names: config.tlsNames }, 'registry certificate issued by paas\'s CA');
    } finally {
      await pool.end();
    }
  }

  const registry = new EmbeddedRegistry({
    bin: config.bin,
    dir: config.dir,
    listen: config.listen,
    ...(tls ? { tls } : {}),
    ...(htpasswdFile ? { htpasswdFile } : {}),
    pidFile: join(config.home, 'run', 'registry-server.pid'),
    log,
  });
  // Signals are handled from here on: a SIGTERM while the registry starts stops it too.
  let stopping = false;
  let timer: NodeJS.Timeout | undefined;
  let collecting: Promise<unknown> | undefined;
  const shutdown = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    clearInterval(timer);
    await collecting;
    await registry.stop();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown());
  process.on('SIGINT', () => void shutdown());
  registry.onUnexpectedExit = (code) => {
    if (stopping) return;
    log.error({ code }, 'the registry exited: exiting so that the supervisor starts both again');
    process.exit(1);
  };
  let started = false;
  const collect = (): void => {
    if (!started) return;
    collecting ??= registry
      .collectGarbage()
      .catch((err: unknown) => log.error({ err }, 'registry garbage collection failed'))
      .finally(() => (collecting = undefined));
  };
  process.on('SIGUSR2', collect);
  try {
    await registry.start();
  } catch (err) {
    if (stopping) return; // stopped while starting: shutdown exits
    throw err;
  }
  started = true;
  timer = setInterval(collect, config.gcIntervalMs);
}

void main().catch((err: unknown) => {
  process.stderr.write(`registry: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
