import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startFixture, type Fixture } from '../test-support/fixture.js';

describe('webhooks commands', () => {
  let f: Fixture;
  let id = '';
  before(async () => {
    f = await startFixture();
    await f.app('shop', { deployed: true });
  });
  after(() => f.close());

  it('webhooks:add subscribes a URL and shows the generated signing secret once', async () => {
    const res = await f.cli(['webhooks:add', '-i', 'api:release,api:build', '-l', 'notify', '-u', 'https://hooks.example.com/paas', '-t', 'Bearer abc', '-a', 'shop']);
    assert.equal(res.stderr, '');
    assert.equal(res.code, 0);
    const m = /^Adding webhook to shop\.\.\. done\nWebhook ([0-9a-f-]{36})\n=== Webhooks Signing Secret\n([0-9a-f]{64})\n/.exec(res.stdout);
    assert.ok(m, res.stdout);
    id = m[1]!;
    assert.deepEqual(f.requests.at(-1), { method: 'POST', path: '/apps/shop/webhooks', authorization: `Bearer ${f.token}` });
  });

  it('webhooks lists them; webhooks:info shows one; --json gives the API shape without the secret', async () => {
    const res = await f.cli(['webhooks', '-a', 'shop']);
    assert.equal(res.stdout, `Webhook ID${' '.repeat(28)}URL                             Include                Level\n${id}  https://hooks.example.com/paas  api:release,api:build  notify\n`);
    const json = JSON.parse((await f.cli(['webhooks', '-a', 'shop', '--json'])).stdout);
    assert.equal(json[0].id, id);
    assert.equal(json[0].secret, undefined);
    const info = await f.cli(['webhooks:info', id, '-a', 'shop']);
    assert.match(info.stdout, /Level:\s+notify/);
  });

  it('webhooks:update changes the level and entities; bad values are refused with a non-zero exit', async () => {
    const res = await f.cli(['webhooks:update', id, '-l', 'sync', '-i', 'api:release', '-a', 'shop']);
    assert.equal(res.code, 0, res.stderr);
    const json = JSON.parse((await f.cli(['webhooks:info', id, '-a', 'shop', '--json'])).stdout);
    assert.equal(json.level, 'sync');
    assert.deepEqual(json.include, ['api:release']);
    const bad = await f.cli(['webhooks:update', id, '-i', 'api:nothing', '-a', 'shop']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /not an entity/);
    const level = await f.cli(['webhooks:add', '-i', 'api:app', '-l', 'often', '-u', 'https://x.example.com/', '-a', 'shop']);
    assert.equal(level.code, 1);
    assert.match(level.stderr, /--level is notify or sync/);
    const http = await f.cli(['webhooks:add', '-i', 'api:app', '-l', 'notify', '-u', 'http://x.example.com/', '-a', 'shop']);
    assert.equal(http.code, 1);
    assert.match(http.stderr, /plain http/);
  });

  it('webhooks:deliveries and webhooks:events list what a release published', async () => {
    await f.release('shop', { description: 'Deploy bbbbbbb' });
    const events = await f.cli(['webhooks:events', '-a', 'shop', '--json']);
    const list = JSON.parse(events.stdout) as { payload: { resource: string; action: string } }[];
    assert.ok(list.some((e) => e.payload.resource === 'release' && e.payload.action === 'create'), events.stdout);
    const deliveries = JSON.parse((await f.cli(['webhooks:deliveries', '-a', 'shop', '--json'])).stdout) as { webhook: { id: string } }[];
    assert.ok(deliveries.length >= 1);
    assert.equal(deliveries[0]!.webhook.id, id);
    const table = await f.cli(['webhooks:deliveries', '-a', 'shop']);
    assert.match(table.stdout, /^Delivery ID\s+Created\s+Status\s+Include/);
  });

  it('webhooks:remove deletes it', async () => {
    const res = await f.cli(['webhooks:remove', id, '-a', 'shop']);
    assert.deepEqual(res, { code: 0, stdout: `Removing webhook ${id} from shop... done\n`, stderr: '' });
    assert.equal((await f.cli(['webhooks', '-a', 'shop'])).stdout, 'shop has no webhooks\nUse paas webhooks:add to add one.\n');
  });
});
