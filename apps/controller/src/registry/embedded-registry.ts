/**
 * The embedded image registry: Debian's `docker-registry` (the Distribution registry) run as a child
 * of this process, with a config paas writes (filesystem storage under `dir`, deletes enabled,
 * htpasswd auth when credentials are given, TLS when a certificate is given).
 *
 * Garbage collection (`docker-registry garbage-collect`) must not run while images are pushed:
 * Distribution documents that blobs uploaded during a collection can be deleted. paas restarts the
 * registry in read-only mode for the collection (pulls keep working, a push is refused with
 * "read-only" for those seconds and the builder falls back to sending the image itself), then
 * restarts it read-write. Read-only rather than stopped: hosts pulling release images are not cut off.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { dirname, join } from 'node:path';
import type { Logger } from '@paas/shared';

export interface EmbeddedRegistryOptions {
  /** The registry binary (`/usr/bin/docker-registry`). */
  bin: string;
  /** Where its config, state and data live (PAAS_HOME/registry). */
  dir: string;
  /** `host:port` it listens on. */
  listen: string;
  /** Server certificate and key files: TLS when given. */
  tls?: { certFile: string; keyFile: string };
  /** An htpasswd file (bcrypt): basic auth when given. */
  htpasswdFile?: string;
  /** The child's pid is written here (a killed parent's orphan is stopped at the next start). */
  pidFile?: string;
  /**
   * How the binary is run: the command and arguments for `docker-registry ARGS…` (default: the
   * binary itself). Tests run it in a container on the Docker-in-Docker hosts' network this way.
   */
  launch?: (args: string[], role: 'serve' | 'gc') => { command: string; args: string[] };
  /** `host:port` readiness is checked at (default: the listen address). */
  probeAddress?: string;
  log: Logger;
}

export interface GcResult {
  ms: number;
  /** The collector's summary line (blobs marked, blobs eligible for deletion). */
  summary: string;
}

export class EmbeddedRegistry {
  private child: ChildProcess | undefined;
  private readonly secret = randomBytes(24).toString('hex');
  /** Called when the registry exits without being asked to. */
  onUnexpectedExit: ((code: number | null, signal: string | null) => void) | undefined;

  constructor(private readonly o: EmbeddedRegistryOptions) {}

  get configFile(): string {
    return join(this.o.dir, 'config.yml');
  }

  get dataDir(): string {
    return join(this.o.dir, 'data');
  }

  /** The config (JSON is YAML): `readOnly` during a garbage collection. */
  config(readOnly: boolean): Record<string, unknown> {
    return {
      version: 0.1,
      log: { level: 'info', formatter: 'json', accesslog: { disabled: true } },
      storage: {
        filesystem: { rootdirectory: this.dataDir },
        delete: { enabled: true },
        maintenance: { uploadpurging: { enabled: true, age: '168h', interval: '24h', dryrun: false }, readonly: { enabled: readOnly } },
      },
      http: {
        addr: this.o.listen,
        secret: this.secret,
        headers: { 'X-Content-Type-Options': ['nosniff'] },
        ...(this.o.tls ? { tls: { certificate: this.o.tls.certFile, key: this.o.tls.keyFile } } : {}),
      },
      ...(this.o.htpasswdFile ? { auth: { htpasswd: { realm: 'paas', path: this.o.htpasswdFile } } } : {}),
    };
  }

  async start(readOnly = false): Promise<void> {
    if (this.child) throw new Error('the registry is running already');
    await mkdir(this.dataDir, { recursive: true, mode: 0o700 });
    await this.stopLeftover();
    await writeFile(this.configFile, `${JSON.stringify(this.config(readOnly), null, 2)}\n`, { mode: 0o600 });
    const run = this.command(['serve', this.configFile], 'serve');
    const child = spawn(run.command, run.args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const forward = (chunk: Buffer): void => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line.trim()) continue;
        let entry: { msg?: string; level?: string; err?: string } = {};
        try {
          entry = JSON.parse(line) as typeof entry;
        } catch {
          entry = { msg: line };
        }
        const level = entry.level === 'error' || entry.level === 'fatal' || entry.level === 'panic' ? 'error' : entry.level === 'warning' ? 'warn' : 'info';
        this.o.log[level]({ registryError: entry.err }, `docker-registry: ${String(entry.msg ?? '').slice(0, 2000)}`);
      }
    };
    child.stdout?.on('data', forward);
    child.stderr?.on('data', forward);
    const spawned = new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    child.once('exit', (code, signal) => {
      if (this.child !== child) return;
      this.child = undefined;
      this.o.log.warn({ code, signal }, 'the registry exited');
      this.onUnexpectedExit?.(code, signal);
    });
    try {
      await spawned;
      if (this.o.pidFile && child.pid) {
        await mkdir(dirname(this.o.pidFile), { recursive: true });
        await writeFile(this.o.pidFile, `${child.pid}\n`);
      }
      await this.waitReady(child);
    } catch (err) {
      await this.stop();
      throw err;
    }
    this.o.log.info({ listen: this.o.listen, tls: Boolean(this.o.tls), readOnly, pid: child.pid }, 'registry started');
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(killer);
    if (this.o.pidFile) await rm(this.o.pidFile, { force: true });
  }

  /** Read-only restart, `garbage-collect --delete-untagged`, read-write restart (see the file's comment). */
  async collectGarbage(): Promise<GcResult> {
    const started = Date.now();
    // Nothing was ever pushed: garbage-collect fails on the missing tree, and there is nothing to free.
    if (!(await stat(join(this.dataDir, 'docker/registry/v2/repositories')).catch(() => undefined))) {
      const empty = { ms: Date.now() - started, summary: 'nothing stored' };
      this.o.log.info(empty, 'registry garbage collected');
      return empty;
    }
    await this.stop();
    await this.start(true);
    let output = '';
    try {
      output = await new Promise<string>((resolve, reject) => {
        const run = this.command(['garbage-collect', '--delete-untagged', this.configFile], 'gc');
        const gc = spawn(run.command, run.args, { stdio: ['ignore', 'pipe', 'pipe'] });
        let text = '';
        const keep = (c: Buffer): void => {
          text = (text + c.toString('utf8')).slice(-20_000);
        };
        gc.stdout.on('data', keep);
        gc.stderr.on('data', keep);
        const timer = setTimeout(() => gc.kill('SIGKILL'), 30 * 60_000);
        gc.once('error', reject);
        gc.once('exit', (code) => {
          clearTimeout(timer);
          if (code === 0) resolve(text);
          else reject(new Error(`garbage-collect exited with ${code}: ${text.trim().split('\n').slice(-3).join(' | ')}`));
        });
      });
    } finally {
      await this.stop();
      await this.start(false);
    }
    const summary = /\d+ blobs marked, \d+ blobs and \d+ manifests eligible for deletion/.exec(output)?.[0] ?? output.trim().split('\n').pop() ?? '';
    const result = { ms: Date.now() - started, summary };
    this.o.log.info(result, 'registry garbage collected');
    return result;
  }

  private command(args: string[], role: 'serve' | 'gc'): { command: string; args: string[] } {
    return this.o.launch ? this.o.launch(args, role) : { command: this.o.bin, args };
  }

  /** Waits until the API answers (any status: 401 means up with auth on). */
  private async waitReady(child: ChildProcess): Promise<void> {
    const deadline = Date.now() + 30_000;
    const probe = this.o.probeAddress ?? this.o.listen;
    const [host, port] = [probe.replace(/:\d+$/, '').replace(/^\[|\]$/g, ''), Number(/:(\d+)$/.exec(probe)?.[1])];
    const target = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
    for (;;) {
      if (this.child !== child) throw new Error('the registry exited while starting (see its log lines)');
      const up = await new Promise<boolean>((resolve) => {
        const req = (this.o.tls ? httpsRequest : request)(
          { host: target, port, path: '/v2/', method: 'GET', timeout: 1000, rejectUnauthorized: false },
          (res) => {
            res.resume();
            resolve(true);
          },
        );
        req.on('error', () => resolve(false));
        req.on('timeout', () => req.destroy());
        req.end();
      });
      if (up) return;
      if (Date.now() > deadline) throw new Error(`the registry does not answer on ${this.o.listen} after 30 s`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** A registry left running by a killed parent holds the port: stop it (only if it is that binary). */
  private async stopLeftover(): Promise<void> {
    if (!this.o.pidFile) return;
    const pid = Number((await readFile(this.o.pidFile, 'utf8').catch(() => '')).trim());
    if (!Number.isInteger(pid) || pid <= 1) return;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (!cmdline.split('\0').includes(this.configFile)) return;
    this.o.log.warn({ pid }, 'stopping a registry left by an earlier run');
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      return;
    }
    for (let i = 0; i < 100; i++) {
      try {
        process.kill(pid, 0);
      } catch {
        return;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}
