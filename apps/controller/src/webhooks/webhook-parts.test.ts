import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { webhookEventOf } from './audit-announcer.js';
import { nextAttemptAt, signWebhookBody } from './webhook-worker.js';

test("the signature is Heroku's: base64 HMAC-SHA256 of the body with the secret", () => {
  const body = '{"action":"create"}';
  assert.equal(signWebhookBody('s3cret', body), createHmac('sha256', 's3cret').update(body).digest('base64'));
  assert.notEqual(signWebhookBody('other', body), signWebhookBody('s3cret', body));
});

test('sync retries back off exponentially from the base', () => {
  const retry = { syncAttempts: 5, retryBaseMs: 1000 };
  assert.deepEqual([1, 2, 3, 4].map((n) => nextAttemptAt(n, retry, 0).getTime()), [1000, 2000, 4000, 8000]);
});

test('audit actions map to Heroku entities; refused changes and changes without an app are no events', () => {
  const actor = { id: 'u', email: 'a@example.com' };
  assert.deepEqual(webhookEventOf({ actor, action: 'domain.add', app: 'shop' }), { entity: 'api:domain', action: 'create' });
  assert.deepEqual(webhookEventOf({ actor, action: 'formation.update', app: 'shop' }), { entity: 'api:formation', action: 'update' });
  assert.deepEqual(webhookEventOf({ actor, action: 'process.restart', app: 'shop', details: { result: 'succeeded' } }), { entity: 'api:dyno', action: 'update' });
  assert.deepEqual(webhookEventOf({ actor, action: 'addon.create', app: 'shop' }), { entity: 'api:addon', action: 'create' });
  assert.deepEqual(webhookEventOf({ actor, action: 'app.rename', app: 'shop2', details: { from: 'shop', to: 'shop2' } }), { entity: 'api:app', action: 'update' });
  assert.equal(webhookEventOf({ actor, action: 'process.restart', app: 'shop', details: { result: 'failed' } }), undefined);
  assert.equal(webhookEventOf({ actor, action: 'user.create' }), undefined);
  assert.equal(webhookEventOf({ actor, action: 'session.create', app: 'shop' }), undefined);
});
