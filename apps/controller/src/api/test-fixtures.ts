// Fixtures for the API tests: deployed apps, and the routes an express app really serves.
import type { Express } from 'express';
import { findAppByName, insertApp, type AppRow } from '../db/apps.js';
import { finishBuild, insertBuild } from '../db/builds.js';
import { addCollaborator } from '../db/collaborators.js';
import type { ApiHarness } from './test-harness.js';
import type { RouteTable } from './route-table.js';

export const as = (t: { token: string }) => ({ Authorization: `Bearer ${t.token}` });

/** An app of `ownerId` with a succeeded build and release v1 (web and worker types, web=1 running). */
export async function deployedApp(
  h: ApiHarness,
  name: string,
  ownerId: string,
  opts: { collaborators?: string[]; web?: number } = {},
): Promise<{ app: AppRow; buildId: string }> {
  const id = await insertApp(h.db.pool, name, ownerId);
  for (const c of opts.collaborators ?? []) await addCollaborator(h.db.pool, id, c);
  const build = await insertBuild(h.db.pool, id, ownerId, 'a'.repeat(40));
  await finishBuild(h.db.pool, build.id, {
    status: 'succeeded',
    image: 'img:1',
    processTypes: { web: 'npm start', worker: 'node w.js' },
    buildpack: 'nodejs',
    output: '-----> done',
  });
  const app = (await findAppByName(h.db.pool, name))!;
  await h.releases.release(app, {
    image: 'img:1',
    processTypes: { web: 'npm start', worker: 'node w.js' },
    buildId: build.id,
    description: 'Deploy aaaaaaa',
    userId: ownerId,
  });
  if (opts.web !== undefined && opts.web !== 1) {
    await h.db.pool.query("UPDATE formation SET quantity = $2 WHERE app_id = $1 AND type = 'web'", [id, opts.web]);
  }
  return { app: (await findAppByName(h.db.pool, name))!, buildId: build.id };
}

export interface ServedRoute {
  method: string;
  path: string;
}

/** Every method and path the express app routes, read from its router (mounted routers included). */
export function servedRoutes(app: Express): ServedRoute[] {
  const out: ServedRoute[] = [];
  type Layer = { route?: { path: string; methods: Record<string, boolean> }; handle?: { stack?: Layer[] } };
  const walk = (stack: Layer[]): void => {
    for (const layer of stack) {
      if (layer.route) {
        for (const [method, on] of Object.entries(layer.route.methods)) {
          if (on && method !== '_all') out.push({ method: method.toUpperCase(), path: layer.route.path });
        }
      } else if (layer.handle?.stack) walk(layer.handle.stack);
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return out;
}

export function routeTableOf(app: Express): RouteTable {
  return app.locals['routes'] as RouteTable;
}
