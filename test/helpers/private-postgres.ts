/**
 * A PostgreSQL server of the test's own (initdb into a temporary directory, trust authentication, a
 * free port), for fault tests that stop and start it: the shared server the other suites use is
 * never touched. Run as the `postgres` OS user when the tests run as root (the server refuses root).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@paas/test-kit';

export interface PrivatePostgres {
  url: string;
  port: number;
  /** Fast shutdown (SIGINT): open sessions are terminated, as `pg_ctl stop` and a service restart do. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data directory; answers once it accepts connections. */
  start(): Promise<void>;
  /** Stops it and removes its files. */
  remove(): Promise<void>;
}

/** Where this machine's PostgreSQL server binaries are (the newest version installed). */
export function postgresBinDir(): string | undefined {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base).filter((v) => existsSync(join(base, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(base, versions[0], 'bin') : undefined;
}

export interface PrivatePostgresOptions {
  /** Addresses it listens on (default 127.0.0.1 only): e.g. the Docker bridge's, for app containers. */
  listen?: string[];
  /** The postgres superuser's password: password (scram) authentication instead of trust. */
  password?: string;
}

export async function startPrivatePostgres(opts: PrivatePostgresOptions = {}): Promise<PrivatePostgres> {
  const bin = postgresBinDir();
  if (!bin) throw new Error('no PostgreSQL server binaries under /usr/lib/postgresql');
  const asRoot = process.getuid?.() === 0;
  const owner = asRoot
    ? { uid: Number(execFileSync('id', ['-u', 'postgres']).toString()), gid: Number(execFileSync('id', ['-g', 'postgres']).toString()) }
    : {};
  const dir = mkdtempSync(join(tmpdir(), 'paas-pg-'));
  const data = join(dir, 'data');
  if (asRoot) chownSync(dir, owner.uid!, owner.gid!);
  const auth = ['-A', 'trust'];
  if (opts.password !== undefined) {
    writeFileSync(join(dir, 'pw'), opts.password);
    if (asRoot) chownSync(join(dir, 'pw'), owner.uid!, owner.gid!);
    auth.splice(0, 2, '-A', 'scram-sha-256', '--pwfile', join(dir, 'pw'));
  }
  execFileSync(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', ...auth, '--no-sync', '-E', 'UTF8'], { ...owner, stdio: 'ignore', cwd: dir });
  if (opts.password !== undefined) rmSync(join(dir, 'pw'));
  // initdb lets in loopback only: clients of the other addresses it listens on (containers) too
  if (opts.listen?.some((a) => a !== '127.0.0.1')) {
    appendFileSync(join(data, 'pg_hba.conf'), `host all all 0.0.0.0/0 ${opts.password !== undefined ? 'scram-sha-256' : 'trust'}\n`);
  }
  const port = await freePort();
  let server: ChildProcess | undefined;
  let output = '';

  const ready = async (): Promise<boolean> => {
    try {
      execFileSync(join(bin, 'pg_isready'), ['-q', '-h', '127.0.0.1', '-p', String(port)], { stdio: 'ignore', timeout: 5000 });
      return true;
    } catch {
      return false;
    }
  };
  const start = async (): Promise<void> => {
    const args = ['-D', data, '-p', String(port), '-k', dir, '-c', `listen_addresses=${(opts.listen ?? ['127.0.0.1']).join(',')}`, '-c', 'fsync=off', '-c', 'max_connections=60'];
    server = spawn(join(bin, 'postgres'), args, { ...owner, cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (b: Buffer): void => {
      output = (output + b.toString()).slice(-20_000);
    };
    server.stdout!.on('data', keep);
    server.stderr!.on('data', keep);
    for (let i = 0; i < 150; i++) {
      if (server.exitCode !== null) break;
      if (await ready()) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`the private PostgreSQL did not start:\n${output}`);
  };
  const stop = async (): Promise<void> => {
    const s = server;
    server = undefined;
    if (!s || s.exitCode !== null) return;
    const exited = new Promise((r) => s.once('exit', r));
    s.kill('SIGINT');
    const t = setTimeout(() => s.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(t);
  };
  await start();
  return {
    url: `postgres://postgres${opts.password !== undefined ? `:${encodeURIComponent(opts.password)}` : ''}@127.0.0.1:${port}/postgres`,
    port,
    stop,
    start,
    async remove() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
