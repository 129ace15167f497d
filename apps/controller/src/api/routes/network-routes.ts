import { z } from 'zod';
import { AppError, isValidAppName } from '@paas/shared';
import { internalAccessSchema } from '@paas/shared/api-contract';
import type { ApiContext } from '../context.js';
import { requester } from '../auth.js';
import type { RouteTable } from '../route-table.js';

const accessSchema = z.array(internalAccessSchema);

const sourceParam = { source: 'The app allowed (or no longer allowed) to reach this one' };

/**
 * `paas network -a TARGET`, `network:allow SOURCE -a TARGET`, `network:deny SOURCE -a TARGET`: which
 * apps may call this one at `<app>.<PAAS_INTERNAL_DOMAIN>` through the routers' internal listener.
 * Only the target's owner (or an admin) decides; its collaborators may read the list.
 */
export function networkRoutes(table: RouteTable, ctx: ApiContext): void {
  const service = () => ctx.network;
  const sourceName = (params: Record<string, string>): string => {
    const name = params['source'] ?? '';
    if (!isValidAppName(name)) throw new AppError('invalid_params', `source: not an app name: ${JSON.stringify(name.slice(0, 64))}`);
    return name;
  };
  table.add({
    method: 'get',
    path: '/apps/:app/internal-access',
    action: 'app:read',
    tag: 'network',
    summary: 'The apps allowed to reach this app at its internal name',
    response: accessSchema,
    handler: ({ app }) => service().list(app),
  });
  table.add({
    method: 'put',
    path: '/apps/:app/internal-access/:source',
    action: 'app:network',
    tag: 'network',
    params: sourceParam,
    summary: 'Allow an app to reach this one at its internal name (the routers apply it when this answers)',
    response: accessSchema,
    handler: ({ app, params, req }) => service().allow(app, sourceName(params), requester(req)),
  });
  table.add({
    method: 'delete',
    path: '/apps/:app/internal-access/:source',
    action: 'app:network',
    tag: 'network',
    params: sourceParam,
    summary: 'Stop an app from reaching this one at its internal name',
    response: accessSchema,
    handler: ({ app, params, req }) => service().deny(app, sourceName(params), requester(req)),
  });
}
