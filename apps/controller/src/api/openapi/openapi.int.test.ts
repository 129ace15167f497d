import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { plainRoutes } from '../../auth/policy.js';
import { createApiHarness, type ApiHarness } from '../test-harness.js';
import { routeTableOf, servedRoutes } from '../test-fixtures.js';
import { openApiPath } from './openapi-document.js';

describe('OpenAPI document', () => {
  let h: ApiHarness;
  before(async () => {
    h = await createApiHarness();
  });
  after(async () => h.close());

  test('GET /openapi.json is public and covers every route of the table, with its schemas', async () => {
    const res = await request(h.app).get('/openapi.json');
    assert.equal(res.status, 200);
    const doc = res.body;
    assert.equal(doc.openapi, '3.0.3');
    assert.ok(doc.components.securitySchemes.bearer);
    const table = routeTableOf(h.app);
    for (const spec of table.specs) {
      const op = doc.paths[openApiPath(spec.path)]?.[spec.method];
      assert.ok(op, `${spec.method} ${spec.path} is missing`);
      assert.equal(op['x-paas-action'], spec.action);
      assert.ok(op.summary);
      assert.ok(Object.keys(op.responses).length >= 1);
      if (spec.body) assert.ok(op.requestBody.content['application/json'].schema, spec.path);
      if (spec.paginated) {
        assert.ok(op.parameters.some((p: { name: string }) => p.name === 'cursor'), spec.path);
        assert.ok(op.responses['200'].headers['Next-Cursor'], spec.path);
      }
      for (const [, name] of spec.path.matchAll(/:(\w+)/g)) {
        assert.ok(op.parameters.some((p: { name: string; in: string }) => p.name === name && p.in === 'path'), `${spec.path} :${name}`);
      }
    }
    const ids = Object.values(doc.paths).flatMap((ops) => Object.values(ops as Record<string, { operationId: string }>).map((o) => o.operationId));
    assert.equal(new Set(ids).size, ids.length, 'operationIds are unique');
    // Every served route is in the document, except those still outside the route table.
    const documented = new Set(Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops as object).map((m) => `${m.toUpperCase()} ${p}`)));
    const missing = servedRoutes(h.app)
      .filter((r) => plainRoutes[`${r.method} ${r.path}`] === undefined)
      .map((r) => `${r.method} ${openApiPath(r.path)}`)
      .filter((k) => !documented.has(k));
    assert.deepEqual(missing, []);
  });

  test('request schemas carry the validation rules', async () => {
    const doc = (await request(h.app).get('/openapi.json')).body;
    const scale = doc.paths['/apps/{app}/formation'].patch.requestBody.content['application/json'].schema;
    assert.deepEqual(scale.required, ['updates']);
    assert.equal(scale.properties.updates.items.properties.quantity.type, 'integer');
    assert.equal(scale.properties.updates.items.properties.quantity.maximum, 100);
    const create = doc.paths['/apps'].post.requestBody.content['application/json'];
    assert.ok(create.schema.properties.name.pattern);
    assert.deepEqual(create.example, { name: 'shop' });
    const list = doc.paths['/apps'].get.parameters.find((p: { name: string }) => p.name === 'limit');
    assert.deepEqual([list.schema.type, list.schema.default, list.schema.maximum], ['integer', 100, 1000]);
    const quota = doc.paths['/admin/users/{user}/quota'].put.requestBody.content['application/json'].schema;
    assert.equal(quota.additionalProperties, false);
    assert.equal(quota.properties.apps.nullable, true);
    assert.equal(doc.paths['/auth/login'].post.security.length, 0, 'login needs no token');
  });
});
