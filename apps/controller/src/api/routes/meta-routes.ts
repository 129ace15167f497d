import { z } from 'zod';
import type { ApiContext } from '../context.js';
import { openApiDocument } from '../openapi/openapi-document.js';
import type { RouteTable } from '../route-table.js';

/** The health check and the OpenAPI document (of every route in the table, this one included). */
export function metaRoutes(table: RouteTable, ctx: ApiContext): void {
  table.add({
    method: 'get',
    path: '/health',
    action: 'public',
    tag: 'meta',
    summary: 'Health check',
    response: z.object({ status: z.literal('ok') }),
    handler: () => ({ status: 'ok' }),
  });

  let document: unknown;
  table.add({
    method: 'get',
    path: '/openapi.json',
    action: 'public',
    tag: 'meta',
    summary: 'This API as an OpenAPI 3 document',
    response: z.object({ openapi: z.string(), paths: z.record(z.unknown()) }).passthrough(),
    handler: () => (document ??= openApiDocument(table.specs, { version: '1', serverUrl: ctx.config.api.url })),
  });
}
