import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Addon } from '../addons-client.js';
import { formatAddons, formatBytes } from './addons.js';
import { formatAutoCerts } from './certs-auto.js';
import { pickAddon } from './datastores.js';
import { formatVolumes } from './volumes.js';

const addon = (name: string, service: Addon['service'], configVar: string, app = 'shop'): Addon => ({
  id: name,
  name,
  service,
  plan: 'hobby',
  app,
  attachments: [{ app, config_var: configVar }],
  created_at: '2026-01-01T00:00:00Z',
  config_var: configVar,
});

test("pg:* and redis:* pick the named add-on, else DATABASE_URL's / REDIS_URL's, else the only one", () => {
  const list = [addon('postgres-a', 'postgres', 'ANALYTICS_URL'), addon('postgres-b', 'postgres', 'DATABASE_URL'), addon('redis-c', 'redis', 'CACHE_URL')];
  assert.equal(pickAddon(list, 'postgres', undefined, 'shop').name, 'postgres-b');
  assert.equal(pickAddon(list, 'postgres', 'postgres-a', 'shop').name, 'postgres-a');
  assert.equal(pickAddon(list, 'postgres', 'analytics', 'shop').name, 'postgres-a');
  assert.equal(pickAddon(list, 'redis', undefined, 'shop').name, 'redis-c');
  assert.throws(() => pickAddon(list, 'redis', 'postgres-a', 'shop'), /shop has no redis add-on postgres-a/);
  assert.throws(() => pickAddon([list[0]!, addon('postgres-d', 'postgres', 'OTHER_URL')], 'postgres', undefined, 'shop'), /has 2 postgres add-ons: name one/);
  assert.throws(() => pickAddon([], 'postgres', undefined, 'shop'), /no postgres add-on; create one/);
});

test('listings: add-ons (shared ones marked), volumes, automatic certificates; sizes in binary units', () => {
  const lines = formatAddons([addon('postgres-a', 'postgres', 'DATABASE_URL'), addon('redis-b', 'redis', 'REDIS_URL', 'other')], 'shop');
  assert.match(lines[1]!, /^postgres-a\s+postgres:hobby\s+DATABASE_URL\s+shop$/);
  assert.match(lines[2]!, /^redis-b\s+redis:hobby\s+REDIS_URL\s+other \(shared\)$/);
  assert.deepEqual([0, 1023, 1024, 5 * 1024 * 1024, 3.5 * 1024 ** 3].map(formatBytes), ['0 B', '1023 B', '1.0 kB', '5.0 MB', '3.5 GB']);
  const vols = formatVolumes([{ id: 'x', name: 'data', mount: '/data', types: [], driver: 'local', host: 'h1', created_at: '' }]);
  assert.match(vols[1]!, /^data\s+\/data\s+all\s+local\s+h1$/);
  const certs = formatAutoCerts([{ hostname: 'www.shop.test', status: 'failed', message: 'Connection refused', expires_at: null, next_attempt_at: '2026-01-01T00:05:00Z' }]);
  assert.match(certs[1]!, /^www\.shop\.test\s+failed\s+2026-01-01T00:05:00Z\s+Connection refused$/);
});
