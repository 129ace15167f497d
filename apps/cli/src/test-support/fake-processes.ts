// The fake API's hosts, limits, process control, one-off runs (attach included) and rollback: the
// routes and shapes of the controller's hosts-routes, limits-routes, dynos-routes, rollback-routes
// and attach-upgrade, in memory.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  FrameDecoder,
  FrameType,
  attachProcessHeader,
  encodeFrame,
  exitFrame,
  readResize,
  type TerminalSize,
} from '@paas/shared';
import type { Dyno, Host, ProcessLimits } from '../api-client.js';
import type { FakeApi } from './fake-api.js';

export interface FakeRun {
  app: string;
  command: string;
  attach: boolean;
  tty: boolean;
  size?: TerminalSize;
  resizes: TerminalSize[];
  stdin: string;
}

/**
 * What an attached fake process does: writes `ran <command>` to stdout, echoes its stdin to stdout,
 * writes `bye` to stderr at the end of its input, then exits with N when the command says `exit N`.
 * `fail` answers an error frame; `hang-up` drops the connection.
 */
export class FakeProcesses {
  readonly hosts: Host[] = [];
  readonly limits = new Map<string, ProcessLimits[]>();
  /** Config vars of each release, by `app/version`. */
  readonly releaseConfig = new Map<string, Record<string, string>>();
  readonly runs: FakeRun[] = [];
  private runSeq = 0;

  addHost(name: string, over: Partial<Host> = {}): Host {
    const host: Host = {
      id: `host-${this.hosts.length + 1}`,
      name,
      docker_url: 'unix:///var/run/docker.sock',
      address: '127.0.0.1',
      capacity_memory_mb: null,
      labels: {},
      tls: false,
      status: 'up',
      draining: false,
      last_seen_at: new Date().toISOString(),
      last_error: null,
      processes: 0,
      created_at: new Date().toISOString(),
      ...over,
    };
    this.hosts.push(host);
    return host;
  }

  /** Serves a route of ours; false when the route is someone else's. */
  async handle(api: FakeApi, req: IncomingMessage, user: { role: string }, body: unknown, res: ServerResponse): Promise<boolean> {
    const url = new URL(req.url ?? '/', 'http://x');
    const method = req.method ?? 'GET';
    const parts = url.pathname.split('/').slice(1).map(decodeURIComponent);
    if (parts[0] === 'hosts') {
      if (user.role !== 'admin') return send(res, 403, { id: 'forbidden', message: 'managing hosts needs the admin role' });
      return this.hostRoute(method, parts[1], parts[2], url.searchParams.get('force') === 'true', body, res);
    }
    if (parts[0] !== 'apps' || parts[1] === undefined) return false;
    const app = api.apps.get(parts[1]);
    const rest = parts.slice(2).join('/');
    const route = `${method} ${rest.replace(/^dynos\/[^/]+/, 'dynos/:d').replace(/^releases\/[^/]+/, 'releases/:r')}`;
    const mine = [
      'GET limits',
      'PATCH limits',
      'POST dynos',
      'DELETE dynos',
      'DELETE dynos/:d',
      'POST dynos/:d/actions/stop',
      'POST releases',
      'GET releases/:r',
      'GET releases/:r/config-vars',
    ];
    if (!mine.includes(route)) return false;
    if (!app) return send(res, 404, { id: 'app_not_found', message: `app ${parts[1]} not found` });
    const target = parts[3];
    switch (route) {
      case 'GET limits':
        return send(res, 200, this.limits.get(app.name) ?? []);
      case 'PATCH limits': {
        const b = body as { type: string; memory_mb?: number | null; cpus?: number | null };
        const list = this.limits.get(app.name) ?? [];
        const entry = list.find((l) => l.type === b.type);
        if (!entry) return send(res, 422, { id: 'invalid_params', message: `type: no ${b.type} process type in v1 (its types: ${list.map((l) => l.type).join(', ')})` });
        if (b.memory_mb !== undefined) entry.memory_mb = b.memory_mb;
        if (b.cpus !== undefined) entry.cpus = b.cpus;
        return send(res, 200, list);
      }
      case 'POST dynos': {
        const b = body as { command: string; attach?: boolean };
        if (b.command.trim() === '') return send(res, 422, { id: 'invalid_params', message: 'command: is empty; give the command to run, e.g. paas run -- bash' });
        this.runs.push({ app: app.name, command: b.command, attach: false, tty: false, resizes: [], stdin: '' });
        const dyno = this.dyno(`run.${++this.runSeq}`, b.command, app.current_release ?? 0);
        app.dynos.push(dyno);
        return send(res, 201, dyno);
      }
      case 'DELETE dynos':
      case 'DELETE dynos/:d': {
        const chosen = target === undefined ? app.dynos : app.dynos.filter((d) => d.name === target || d.type === target);
        if (chosen.length === 0) return send(res, 404, { id: 'not_found', message: `no process ${target} on ${app.name}` });
        for (const d of chosen) d.updated_at = new Date().toISOString();
        return send(res, 200, app.dynos);
      }
      case 'POST dynos/:d/actions/stop': {
        const chosen = app.dynos.filter((d) => d.name === target || d.type === target);
        if (chosen.length === 0) return send(res, 404, { id: 'not_found', message: `no process ${target} on ${app.name}` });
        app.dynos = app.dynos.filter((d) => !chosen.includes(d));
        return send(res, 202, chosen.map((d) => ({ ...d, state: 'down' })));
      }
      case 'POST releases': {
        const ref = String((body as { release?: unknown }).release ?? '');
        const release = app.releases.find((r) => `v${r.version}` === ref || String(r.version) === ref);
        if (!release) return send(res, 404, { id: 'release_not_found', message: `${app.name} has no release ${ref}` });
        if (release.status !== 'succeeded') return send(res, 422, { id: 'invalid_params', message: `v${release.version} never ran successfully (it is ${release.status})` });
        const made = api.addRelease(app, `Rollback to v${release.version}`, 'dev@example.com');
        app.config = { ...(this.releaseConfig.get(`${app.name}/${release.version}`) ?? {}) };
        this.releaseConfig.set(`${app.name}/${made.version}`, { ...app.config });
        return send(res, 201, made);
      }
      case 'GET releases/:r':
      case 'GET releases/:r/config-vars': {
        const release = app.releases.find((r) => `v${r.version}` === target || String(r.version) === target || r.id === target);
        if (!release) return send(res, 404, { id: 'release_not_found', message: `${app.name} has no release ${target}` });
        if (route === 'GET releases/:r') return send(res, 200, { ...release, image: `paas/${app.name}:v${release.version}`, process_types: { web: 'npm start' } });
        return send(res, 200, this.releaseConfig.get(`${app.name}/${release.version}`) ?? {});
      }
    }
    return false;
  }

  private dyno(name: string, command: string, version: number): Dyno {
    return { id: `dyno-${name}`, name, type: name.split('.')[0] ?? name, state: 'up', host: 'local', release: { version }, command, updated_at: new Date().toISOString() };
  }

  private hostRoute(method: string, name: string | undefined, action: string | undefined, force: boolean, body: unknown, res: ServerResponse): boolean {
    if (name === undefined) {
      if (method === 'GET') return send(res, 200, this.hosts);
      if (method !== 'POST') return false;
      const b = body as { name: string; docker_url: string; address: string; capacity_memory_mb?: number; labels?: Record<string, string>; tls?: unknown };
      if (this.hosts.some((h) => h.name === b.name)) return send(res, 409, { id: 'name_taken', message: `a host named ${b.name} exists already` });
      if (!b.docker_url.startsWith('unix://')) {
        return send(res, 422, { id: 'invalid_params', message: `docker_url: ${b.docker_url} does not answer as a Docker engine (connect ECONNREFUSED)` });
      }
      const host = this.addHost(b.name, { docker_url: b.docker_url, address: b.address, capacity_memory_mb: b.capacity_memory_mb ?? null, labels: b.labels ?? {}, tls: Boolean(b.tls) });
      return send(res, 201, host);
    }
    const host = this.hosts.find((h) => h.name === name);
    if (!host) return send(res, 404, { id: 'not_found', message: `no host named ${name}` });
    if (method === 'GET' && action === undefined) {
      return send(res, 200, { ...host, process_list: host.processes ? [{ app: 'shop', name: 'web.1', release: 3, state: 'up' }] : [] });
    }
    if (method === 'POST' && action === 'drain') {
      Object.assign(host, { draining: true, status: 'draining', processes: 0 });
      return send(res, 200, host);
    }
    if (method === 'DELETE' && action === undefined) {
      if (!force && this.hosts.length === 1) {
        return send(res, 422, { id: 'invalid_params', message: `${name} is the last host and apps are scaled up: scale them down first, or use --force` });
      }
      this.hosts.splice(this.hosts.indexOf(host), 1);
      return send(res, 200, host);
    }
    return false;
  }

  /** `paas run`: the upgrade to attach frames. */
  upgrade(api: FakeApi, req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const refuse = (status: number, id: string, message: string): void => {
      const body = JSON.stringify({ id, message });
      socket.end(`HTTP/1.1 ${status} Refused\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      socket.resume(); // see the client's close
    };
    if (!api.users.some((u) => u.token === token)) return refuse(401, 'unauthorized', 'invalid or missing API token');
    const name = decodeURIComponent(/^\/apps\/([^/]+)\/dynos$/.exec(req.url ?? '')?.[1] ?? '');
    const app = api.apps.get(name);
    if (!app) return refuse(404, 'app_not_found', `app ${name} not found`);
    const length = Number(req.headers['content-length'] ?? 0);
    let got = head;
    const onBody = (chunk: Buffer): void => {
      got = Buffer.concat([got, chunk]);
      if (got.length >= length) {
        socket.off('data', onBody);
        this.attached(app.name, app.current_release ?? 0, JSON.parse(got.subarray(0, length).toString('utf8')), got.subarray(length), socket, refuse);
      }
    };
    if (got.length >= length) onBody(Buffer.alloc(0));
    else socket.on('data', onBody);
  }

  private attached(
    app: string,
    version: number,
    body: { command: string; tty?: boolean; size?: TerminalSize },
    rest: Buffer,
    socket: Duplex,
    refuse: (status: number, id: string, message: string) => void,
  ): void {
    if (body.command.trim() === '') return refuse(422, 'invalid_params', 'command: is empty; give the command to run, e.g. paas run -- bash');
    const run: FakeRun = { app, command: body.command, attach: true, tty: body.tty ?? false, resizes: [], stdin: '', ...(body.size ? { size: body.size } : {}) };
    this.runs.push(run);
    const name = `run.${++this.runSeq}`;
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n${attachProcessHeader}: ${name}\r\n\r\n`);
    void version;
    if (body.command === 'hang-up') return void socket.destroy();
    if (body.command === 'fail') {
      socket.write(encodeFrame(FrameType.error, 'the host of run.1 was lost'));
      socket.resume();
      return void socket.end();
    }
    socket.write(encodeFrame(FrameType.stdout, `ran ${body.command}\n`));
    const decoder = new FrameDecoder();
    const onData = (chunk: Buffer): void => {
      for (const f of decoder.push(chunk)) {
        if (f.type === FrameType.resize) run.resizes.push(readResize(f));
        else if (f.type === FrameType.stdin && f.payload.length > 0) {
          run.stdin += f.payload.toString('utf8');
          socket.write(encodeFrame(FrameType.stdout, f.payload));
        } else if (f.type === FrameType.stdin) {
          socket.off('data', onData);
          socket.write(encodeFrame(FrameType.stderr, 'bye\n'));
          socket.write(exitFrame(Number(/exit (\d+)/.exec(body.command)?.[1] ?? 0)));
          socket.end();
        }
      }
    };
    if (rest.length) onData(rest);
    socket.on('data', onData);
  }
}

function send(res: ServerResponse, status: number, body: unknown): true {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
  return true;
}
