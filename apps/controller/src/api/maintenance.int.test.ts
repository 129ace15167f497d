// Maintenance mode through the API (PATCH /apps/{app} {maintenance}), against the real PostgreSQL
// with the in-memory runtime and route store; the app's own page from a local HTTP server.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { EgressGuard } from '@paas/shared';
import { fetchMaintenancePage, maxMaintenancePageBytes } from '../deploy/maintenance-page.js';
import { createApiHarness, type ApiHarness } from './test-harness.js';
import { as, deployedApp } from './test-fixtures.js';

describe('maintenance mode', () => {
  let h: ApiHarness;
  let alice: { token: string; user: { id: string } };
  let bob: { token: string };
  let pages: http.Server;
  let base = '';
  const loopback = new EgressGuard({ allowLoopback: true });

  before(async () => {
    pages = http.createServer((req, res) => {
      if (req.url === '/down.html') res.end('<h1>Down for a moment</h1>');
      else if (req.url === '/big') res.end('x'.repeat(maxMaintenancePageBytes + 1));
      else if (req.url === '/moved') res.writeHead(302, { location: '/down.html' }).end();
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => pages.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(pages.address() as AddressInfo).port}`;
    h = await createApiHarness({ egress: loopback });
    alice = await h.user('alice@example.com');
    bob = await h.user('bob@example.com');
  });
  after(async () => {
    await h.close();
    await new Promise((r) => pages.close(r));
  });

  test("on: the route answers with the router's page and apps:info says so; off: served again", async () => {
    await deployedApp(h, 'mshop', alice.user.id);
    const on = await request(h.app).patch('/apps/mshop').set(as(alice)).send({ maintenance: true }).expect(200);
    assert.equal(on.body.maintenance, true);
    assert.deepEqual((await h.routes.get('mshop'))?.maintenance, {});
    assert.equal((await request(h.app).get('/apps/mshop').set(as(alice)).expect(200)).body.maintenance, true);
    assert.equal((await request(h.app).get('/apps').set(as(alice)).expect(200)).body[0].maintenance, true);
    const route = await h.routes.get('mshop');
    assert.equal(route?.backends.length, 1, 'the processes keep running');
    await request(h.app).patch('/apps/mshop').set(as(alice)).send({ maintenance: false }).expect(200);
    assert.equal((await h.routes.get('mshop'))?.maintenance, undefined);
  });

  test("the app's own page from PAAS_MAINTENANCE_PAGE_URL; a page that cannot be fetched refuses the change", async () => {
    await deployedApp(h, 'mown', alice.user.id);
    await request(h.app).patch('/apps/mown/config-vars').set(as(alice)).send({ PAAS_MAINTENANCE_PAGE_URL: `${base}/down.html` }).expect(200);
    await request(h.app).patch('/apps/mown').set(as(alice)).send({ maintenance: true }).expect(200);
    assert.deepEqual((await h.routes.get('mown'))?.maintenance, { page: '<h1>Down for a moment</h1>' });
    await request(h.app).patch('/apps/mown/config-vars').set(as(alice)).send({ PAAS_MAINTENANCE_PAGE_URL: `${base}/missing` }).expect(200);
    const refused = await request(h.app).patch('/apps/mown').set(as(alice)).send({ maintenance: true }).expect(422);
    assert.match(refused.body.message, /PAAS_MAINTENANCE_PAGE_URL: .* answered HTTP 404/);
  });

  test('another user can neither see nor change it; the body is checked', async () => {
    await deployedApp(h, 'mpriv', alice.user.id);
    await request(h.app).patch('/apps/mpriv').set(as(bob)).send({ maintenance: true }).expect(404);
    assert.equal((await h.routes.get('mpriv'))?.maintenance, undefined);
    await request(h.app).patch('/apps/mpriv').set(as(alice)).send({ maintenance: 'yes' }).expect(422);
    await request(h.app).patch('/apps/mpriv').set(as(alice)).send({ maintenance: true, name: 'x' }).expect(422);
  });

  test('the page fetch: through the egress guard, no redirects, bounded', async () => {
    assert.equal(await fetchMaintenancePage(loopback, `${base}/down.html`), '<h1>Down for a moment</h1>');
    await assert.rejects(fetchMaintenancePage(new EgressGuard(), `${base}/down.html`), /loopback/);
    await assert.rejects(fetchMaintenancePage(loopback, `${base}/moved`), /HTTP 302 \(redirects are not followed\)/);
    await assert.rejects(fetchMaintenancePage(loopback, `${base}/big`), /larger than 256 KiB/);
    await assert.rejects(fetchMaintenancePage(loopback, 'ftp://example.com/x'), /PAAS_MAINTENANCE_PAGE_URL/);
  });
});
