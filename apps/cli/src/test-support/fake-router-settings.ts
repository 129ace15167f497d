// The fake API's router settings: `GET` and `PATCH /apps/:app/router`.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RouterSettings } from '../api-client.js';
import type { FakeApi } from './fake-api.js';

export class FakeRouterSettings {
  readonly byApp = new Map<string, RouterSettings>();

  /** Serves the request when it is one of these routes; returns whether it did. */
  handle(api: FakeApi, req: IncomingMessage, body: unknown, res: ServerResponse): boolean {
    const parts = new URL(req.url ?? '/', 'http://x').pathname.split('/').slice(1).map(decodeURIComponent);
    if (parts[0] !== 'apps' || parts[1] === undefined || parts[2] !== 'router' || parts.length !== 3) return false;
    const app = api.apps.get(parts[1]);
    if (!app) return send(res, 404, { id: 'app_not_found', message: `Couldn't find that app: ${parts[1]}` });
    const current = this.byApp.get(app.name) ?? { https_redirect: false, max_body_mb: null };
    if (req.method === 'GET') return send(res, 200, current);
    if (req.method !== 'PATCH') return false;
    const patch = (body ?? {}) as Partial<RouterSettings>;
    if (typeof patch.max_body_mb === 'number' && patch.max_body_mb > 10_240) {
      return send(res, 422, { id: 'invalid_params', message: 'max_body_mb: must be at most 10240 MB' });
    }
    const next = { ...current, ...patch };
    this.byApp.set(app.name, next);
    return send(res, 200, next);
  }
}

function send(res: ServerResponse, status: number, body: unknown): true {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
  return true;
}
