// An in-memory stand-in for the controller's REST API, for the CLI's tests: the routes and shapes the
// CLI codes against, on 127.0.0.1 with a random port.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { App, ConfigVars, Dyno, FormationEntry, Release } from '../api-client.js';
import { FakeProcesses } from './fake-processes.js';
import { FakeDomains } from './fake-domains.js';
import { FakeRouterSettings } from './fake-router-settings.js';

interface User {
  id: string;
  email: string;
  password: string;
  role: string;
  token: string;
}

interface StoredApp extends App {
  config: ConfigVars;
  formation: FormationEntry[];
  dynos: Dyno[];
  releases: Release[];
}

export interface RecordedRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  body: unknown;
}

export class FakeApi {
  readonly users: User[] = [];
  readonly apps = new Map<string, StoredApp>();
  readonly requests: RecordedRequest[] = [];
  /** Hosts, limits, restart/stop, one-off runs (attach too) and rollback. */
  readonly processes = new FakeProcesses();
  /** Custom domains and TLS certificates. */
  readonly domains = new FakeDomains();
  /** Router settings (`paas router:set`). */
  readonly routerSettings = new FakeRouterSettings();
  private server: Server | undefined;
  url = '';

  addUser(email: string, password: string, token: string, role = 'user'): User {
    const user = { id: `user-${this.users.length + 1}`, email, password, role, token };
    this.users.push(user);
    return user;
  }

  /** Adds an app directly (as if created and deployed), returning the stored record to tweak. */
  addApp(name: string, ownerEmail: string): StoredApp {
    const app: StoredApp = {
      id: `app-${this.apps.size + 1}`,
      name,
      owner: { email: ownerEmail },
      created_at: new Date(Date.now() - 3_600_000).toISOString(),
      web_url: `http://${name}.localhost:8080`,
      git_url: `${this.url}/${name}.git`,
      current_release: null,
      buildpacks: [],
      config: {},
      formation: [],
      dynos: [],
      releases: [],
    };
    this.apps.set(name, app);
    return app;
  }

  addRelease(app: StoredApp, description: string, email: string, createdAt = new Date()): Release {
    for (const r of app.releases) r.current = false;
    const version = (app.releases[0]?.version ?? 0) + 1;
    const release: Release = {
      id: `rel-${app.name}-${version}`,
      version,
      description,
      status: 'succeeded',
      current: true,
      image: `img:${version}`,
      build: null,
      process_types: {},
      user: { email },
      created_at: createdAt.toISOString(),
    };
    app.releases.unshift(release);
    app.current_release = version;
    return release;
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => send(res, 500, { id: 'internal', message: String(err) }));
    });
    this.server.on('upgrade', (req, socket, head) => this.processes.upgrade(this, req, socket, head));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const method = req.method ?? 'GET';
    const text = await readBody(req);
    let body: unknown = undefined;
    if (text !== '') {
      try {
        body = JSON.parse(text);
      } catch {
        return send(res, 400, { id: 'invalid_params', message: 'the body is not JSON' });
      }
    }
    this.requests.push({ method, path, authorization: req.headers.authorization, body });

    if (method === 'POST' && path === '/auth/login') {
      const { email, password } = (body ?? {}) as { email?: string; password?: string };
      const user = this.users.find((u) => u.email === email && u.password === password);
      if (!user) return send(res, 401, { id: 'unauthorized', message: 'invalid email or password' });
      return send(res, 200, { token: user.token, user: { id: user.id, email: user.email, role: user.role } });
    }

    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const user = this.users.find((u) => u.token === token);
    if (!user) return send(res, 401, { id: 'unauthorized', message: 'invalid or missing API token' });
    if (await this.processes.handle(this, req, user, body, res)) return;
    if (this.domains.handle(this, req, body, res)) return;
    if (this.routerSettings.handle(this, req, body, res)) return;

    if (method === 'GET' && path === '/account') return send(res, 200, { id: user.id, email: user.email, role: user.role });
    if (method === 'DELETE' && path === '/auth/session') return send(res, 200, { revoked: 'session' });
    if (method === 'GET' && path === '/apps') return send(res, 200, [...this.apps.values()].map(publicApp));
    if (method === 'POST' && path === '/apps') {
      const name = (body as { name?: unknown } | undefined)?.name;
      if (typeof name !== 'string' || !/^[a-z][a-z0-9-]{1,28}[a-z0-9]$/.test(name)) {
        return send(res, 422, { id: 'invalid_params', message: 'invalid app name' });
      }
      if (this.apps.has(name)) return send(res, 409, { id: 'name_taken', message: `the name ${name} is taken` });
      return send(res, 201, publicApp(this.addApp(name, user.email)));
    }

    const match = /^\/apps\/([^/]+)(?:\/([a-z-]+))?$/.exec(path);
    if (!match) return send(res, 404, { id: 'not_found', message: `no route for ${method} ${path}` });
    const name = decodeURIComponent(match[1] ?? '');
    const app = this.apps.get(name);
    if (!app) return send(res, 404, { id: 'app_not_found', message: `app ${name} not found` });
    const route = `${method} ${match[2] ?? ''}`;
    switch (route) {
      case 'GET ':
        return send(res, 200, { ...publicApp(app), formation: app.formation });
      case 'DELETE ':
        this.apps.delete(name);
        return send(res, 200, publicApp(app));
      case 'GET config-vars':
        return send(res, 200, app.config);
      case 'PATCH config-vars': {
        const patch = body as Record<string, string | null>;
        for (const [key, value] of Object.entries(patch)) {
          if (value === null) delete app.config[key];
          else app.config[key] = value;
        }
        const keys = Object.keys(patch).join(', ');
        this.addRelease(app, `${Object.values(patch).some((v) => v === null) ? 'Remove' : 'Set'} ${keys} config vars`, user.email);
        return send(res, 200, app.config);
      }
      case 'GET formation':
        return send(res, 200, app.formation);
      case 'PATCH formation': {
        const { updates } = body as { updates: { type: string; quantity: number }[] };
        for (const u of updates) {
          const entry = app.formation.find((f) => f.type === u.type);
          if (!entry) return send(res, 422, { id: 'invalid_params', message: `no process type ${u.type} in the Procfile` });
          entry.quantity = u.quantity;
        }
        return send(res, 200, app.formation);
      }
      case 'GET dynos':
        return send(res, 200, app.dynos);
      case 'GET releases':
        return send(res, 200, app.releases);
      case 'GET builds':
        return send(res, 200, []);
      default:
        return send(res, 404, { id: 'not_found', message: `no route for ${method} ${path}` });
    }
  }
}

function publicApp(app: StoredApp): App {
  const { id, name, owner, created_at, web_url, git_url, current_release, buildpacks } = app;
  return { id, name, owner, created_at, web_url, git_url, current_release, buildpacks };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
