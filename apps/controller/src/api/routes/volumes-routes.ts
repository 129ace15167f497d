import { z } from 'zod';
import { volumeSchema } from '@paas/shared/api-contract';
import type { VolumeRow } from '../../db/volumes.js';
import type { ApiContext } from '../context.js';
import { requester } from '../auth.js';
import type { RouteTable } from '../route-table.js';

const createBody = z.object({
  name: z.string({ required_error: 'is required' }).max(30),
  mount: z.string({ required_error: 'is required' }).max(200),
  types: z.array(z.string().max(30)).max(20).optional(),
  driver: z.string().max(100).optional(),
  options: z.record(z.string().max(500)).optional(),
});

const volumeJson = (v: VolumeRow) => ({ id: v.id, name: v.name, mount: v.mount, types: v.types, driver: v.driver, host: v.host, created_at: v.created_at });

/** `paas volumes*` (issue 18). */
export function volumesRoutes(table: RouteTable, ctx: ApiContext): void {
  const volumes = ctx.volumes;
  if (!volumes) return;
  table.add({
    method: 'get',
    path: '/apps/:app/volumes',
    action: 'app:read',
    tag: 'volumes',
    summary: "An app's volumes, where they are mounted and which host holds each",
    response: z.array(volumeSchema),
    handler: async ({ app }) => (await volumes.list(app)).map(volumeJson),
  });
  table.add({
    method: 'post',
    path: '/apps/:app/volumes',
    action: 'app:config:write',
    tag: 'volumes',
    summary: 'Create a volume mounted into the processes of some types (all by default); a deployed app gets a new release',
    body: createBody,
    example: { name: 'data', mount: '/data', types: ['web'] },
    status: 201,
    response: volumeSchema,
    handler: async ({ app, user, body, req }) => {
      const v = await volumes.create(app, user, body);
      await ctx.access.audit.record({ ...requester(req), action: 'volume.create', app: app.name, details: { volume: v.name, mount: v.mount } });
      return volumeJson(v);
    },
  });
  table.add({
    method: 'delete',
    path: '/apps/:app/volumes/:volume',
    action: 'app:config:write',
    tag: 'volumes',
    params: { volume: 'The volume name' },
    summary: 'Destroy a volume and its data (its processes are replaced without it first)',
    response: volumeSchema,
    handler: async ({ app, user, params, req }) => {
      const v = await volumes.destroy(app, user, params['volume']!);
      await ctx.access.audit.record({ ...requester(req), action: 'volume.destroy', app: app.name, details: { volume: v.name } });
      return volumeJson(v);
    },
  });
}
