// The route table's hold on the wire contract: every JSON route declares its response schema, and in
// tests (checkResponses) an answer that breaks it is a 500 naming the route and the field.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import express from 'express';
import request from 'supertest';
import { z } from 'zod';
import { createLogger } from '@paas/shared';
import type { TokenService } from '../auth/token-service.js';
import type { Queryable } from '../db/queryable.js';
import { errorHandler } from './error-handler.js';
import { RouteTable } from './route-table.js';

const thing = z.object({ id: z.string(), created_at: z.string().datetime() });

function appOf(body: unknown, checkResponses: boolean) {
  const table = new RouteTable();
  table.add({ method: 'get', path: '/thing', action: 'public', tag: 't', summary: 'A thing', response: thing, handler: () => body });
  const app = express();
  app.use(table.router({} as TokenService, {} as Queryable, 'hook', { checkResponses }));
  app.use(errorHandler(createLogger('test', 'silent')));
  return app;
}

describe('route table responses', () => {
  test('a body that matches its schema on the wire passes (dates become ISO strings)', async () => {
    const res = await request(appOf({ id: 'a', created_at: new Date(0) }, true)).get('/thing');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { id: 'a', created_at: '1970-01-01T00:00:00.000Z' });
  });

  test('in tests, a body that breaks its schema is a 500 naming the route and the field', async () => {
    const res = await request(appOf({ id: 7, created_at: new Date(0) }, true)).get('/thing');
    assert.equal(res.status, 500);
    assert.equal(res.body.id, 'internal');
    assert.match(res.body.message, /^GET \/thing answered a body that breaks its response schema: id: Expected string, received number$/);
    const unchecked = await request(appOf({ id: 7 }, false)).get('/thing');
    assert.equal(unchecked.status, 200, 'production answers are not checked');
  });

  test('a JSON route without a response schema is refused when declared', () => {
    const table = new RouteTable();
    assert.throws(
      () => table.add({ method: 'get', path: '/x', action: 'public', tag: 't', summary: 'x', handler: () => ({}) }),
      /GET \/x: a JSON route needs a response schema/,
    );
    table.add({ method: 'get', path: '/raw', action: 'public', tag: 't', summary: 'raw', raw: { contentType: 'text/plain' }, handler: () => undefined });
  });
});
