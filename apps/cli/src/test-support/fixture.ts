// The CLI's tests run against the real controller: its HTTP app from the API harness (real
// PostgreSQL and Redis, the in-memory runtime and route store) on a random 127.0.0.1 port, with one
// signed-in user and a PAAS_HOME whose cli.json points at it. Every JSON answer is checked against
// the wire contract by the harness.
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createApiHarness, type ApiHarness, type ApiHarnessOptions } from '../../../controller/src/api/test-harness.js';
import { deployedApp } from '../../../controller/src/api/test-fixtures.js';
import { serveUpgrades } from '../../../controller/src/api/attach-upgrade.js';
import { findAppByName, insertApp, type AppRow } from '../../../controller/src/db/apps.js';
import type { ReleaseRow } from '../../../controller/src/db/releases.js';
import type { User } from '../../../controller/src/db/users.js';
import { runCli, tempDir, type CliResult, type RunCliOptions } from './run-cli.js';

export const email = 'dev@example.com';
/** The password of every harness user. */
export const password = 'secret-pw';

/** What reached the server: the method, the path as sent (not decoded) and the Authorization header. */
export interface RecordedRequest {
  method: string;
  path: string;
  authorization: string | undefined;
}

export interface Fixture {
  /** The controller's API harness: its database, runtime, services. */
  h: ApiHarness;
  /** The API's URL, e.g. http://127.0.0.1:41234. */
  url: string;
  user: User;
  /** The user's session token (in cli.json unless loggedIn: false). */
  token: string;
  home: string;
  env: Record<string, string>;
  requests: RecordedRequest[];
  /** An app of `owner` (default: the fixture's user): created only, or deployed (release v1 with web=1 and worker=0). */
  app(name: string, options?: { deployed?: boolean; owner?: User }): Promise<AppRow>;
  /**
   * A new release of an app, made by the real release service (and deployed on the in-memory
   * runtime), then dated, attributed or marked failed as a test needs.
   */
  release(app: string, options: { description: string; by?: User; at?: Date; status?: 'failed'; processTypes?: Record<string, string> }): Promise<ReleaseRow>;
  /** Another user of the platform, with a session token. */
  otherUser(email: string, role?: 'user' | 'admin'): Promise<{ user: User; token: string }>;
  /** Runs the CLI in-process with PAAS_HOME set (plus extra env). */
  cli(argv: string[], options?: RunCliOptions): Promise<CliResult>;
  close(): Promise<void>;
}

export async function startFixture(options: { loggedIn?: boolean; role?: 'user' | 'admin'; harness?: ApiHarnessOptions } = {}): Promise<Fixture> {
  const requests: RecordedRequest[] = [];
  let handler: RequestListener | undefined;
  const server: Server = createServer((req, res) => {
    requests.push({ method: req.method ?? '', path: (req.url ?? '/').split('?')[0]!, authorization: req.headers.authorization });
    handler?.(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const h = await createApiHarness({ apiUrl: url, ...options.harness });
  handler = h.app;
  serveUpgrades(server, h.app);
  const { user, token } = await h.user(email, options.role ?? 'user');
  const dir = await tempDir('home');
  const home = join(dir.path, 'paas-home');
  await mkdir(home, { recursive: true });
  const config = options.loggedIn === false ? { api_url: url } : { api_url: url, token, email };
  await writeFile(join(home, 'cli.json'), JSON.stringify(config), { mode: 0o600 });
  // Commands run outside any git repository unless a test says otherwise (apps:create adds a remote
  // to the repository it runs in: never this checkout's).
  const work = join(dir.path, 'work');
  await mkdir(work, { recursive: true });
  const env = { PAAS_HOME: home };
  return {
    h,
    url,
    user,
    token,
    home,
    env,
    requests,
    async app(name, opts = {}) {
      const owner = opts.owner ?? user;
      if (opts.deployed === false) {
        await insertApp(h.db.pool, name, owner.id);
        return (await findAppByName(h.db.pool, name))!;
      }
      return (await deployedApp(h, name, owner.id)).app;
    },
    async release(name, opts) {
      const app = (await findAppByName(h.db.pool, name))!;
      const { rows } = await h.db.pool.query<{ next: number }>('SELECT coalesce(max(version), 0) + 1 AS next FROM releases WHERE app_id = $1', [app.id]);
      const version = rows[0]!.next;
      const made = await h.releases.release(app, {
        image: `paas/${name}:v${version}`,
        processTypes: opts.processTypes ?? { web: 'npm start' },
        buildId: null,
        description: opts.description,
        userId: (opts.by ?? user).id,
      });
      if (opts.at) await h.db.pool.query('UPDATE releases SET created_at = $2 WHERE id = $1', [made.id, opts.at]);
      if (opts.status) await h.db.pool.query('UPDATE releases SET status = $2 WHERE id = $1', [made.id, opts.status]);
      return made;
    },
    otherUser: (who, role = 'user') => h.user(who, role),
    cli: (argv, opts = {}) => runCli(argv, { cwd: work, ...opts, env: { ...env, ...opts.env } }),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await h.close();
      await dir.cleanup();
    },
  };
}
