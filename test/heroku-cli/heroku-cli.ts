/**
 * Heroku's own CLI (npm's `heroku`, version 11) and `heroku-client`, installed on demand into a cache
 * under the test's own directory (never a dependency of the platform), and run against a paas API
 * with HEROKU_HOST and HEROKU_API_KEY; its caches and config go to a temporary HOME.
 */
import { execFile, spawn } from 'node:child_process';
import { access, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../helpers/platform.js';

const exec = promisify(execFile);

/** The versions the suite drives (Heroku's CLI 11, heroku-client 3). */
export const herokuCliPackage = 'heroku@11';
export const herokuClientPackage = 'heroku-client@3';

/** Where the CLI is cached between runs: test-results/.heroku-cli (PAAS_HEROKU_CLI_DIR overrides). */
export function herokuCliDir(): string {
  return process.env['PAAS_HEROKU_CLI_DIR'] ?? join(repoRoot, 'test-results', '.heroku-cli');
}

/** Installs the CLI and heroku-client into `dir` unless they are there; the path of the CLI's bin. */
export async function ensureHerokuCli(dir = herokuCliDir()): Promise<string> {
  const bin = join(dir, 'node_modules', 'heroku', 'bin', 'run.js');
  const client = join(dir, 'node_modules', 'heroku-client', 'package.json');
  const present = async (p: string) => access(p).then(() => true, () => false);
  if (!(await present(bin)) || !(await present(client))) {
    await mkdir(dir, { recursive: true });
    await exec('npm', ['install', '--prefix', dir, '--no-audit', '--no-fund', '--no-save', '--loglevel=error', herokuCliPackage, herokuClientPackage], {
      timeout: 600_000,
      maxBuffer: 16 * 1024 * 1024,
    });
  }
  return bin;
}

export interface HerokuRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface HerokuCli {
  run(args: string[], opts?: { cwd?: string; timeoutMs?: number }): Promise<HerokuRun>;
  /** heroku-client's module, loaded from the cache. */
  clientModule(): Promise<{ new (o: { token: string; host: string }): HerokuClient }>;
  home: string;
  close(): Promise<void>;
}

export interface HerokuClient {
  get(path: string, o?: { headers?: Record<string, string> }): Promise<unknown>;
  post(path: string, o?: { body?: unknown }): Promise<unknown>;
  patch(path: string, o?: { body?: unknown }): Promise<unknown>;
  delete(path: string): Promise<unknown>;
}

/** The CLI as a user of `apiUrl` with `token` would run it, everything it writes under a temporary HOME. */
export async function herokuCli(bin: string, apiUrl: string, token: string): Promise<HerokuCli> {
  const home = await mkdtemp(join(tmpdir(), 'paas-heroku-home-'));
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_CACHE_HOME: join(home, '.cache'),
    XDG_DATA_HOME: join(home, '.local', 'share'),
    HEROKU_HOST: apiUrl,
    HEROKU_API_KEY: token,
    // no telemetry, update checks or colours: the tests read the output
    DISABLE_TELEMETRY: 'true',
    HEROKU_SKIP_ANALYTICS: '1',
    HEROKU_DISABLE_AUTOUPDATE: '1',
    HIDE_HEROKU_RELEASE_NOTES: 'true',
    NO_COLOR: '1',
    FORCE_COLOR: '0',
    CI: 'true',
    GIT_TERMINAL_PROMPT: '0',
  };
  return {
    home,
    run(args, opts = {}) {
      return new Promise((resolve) => {
        const child = spawn(process.execPath, [bin, ...args], { cwd: opts.cwd ?? home, env, stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
        child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
        const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 90_000);
        child.on('close', (code) => {
          clearTimeout(timer);
          resolve({ code: code ?? 1, stdout, stderr });
        });
      });
    },
    async clientModule() {
      const mod = (await import(join(herokuCliDir(), 'node_modules', 'heroku-client', 'lib', 'index.js'))) as { default: never };
      return mod.default;
    },
    close: () => rm(home, { recursive: true, force: true }),
  };
}
