import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryRouteStore, SecretBox, createLogger, type CertEntry } from '@paas/shared';
import { makeTestCert, type TestCert } from '@paas/test-kit';
import { CertTable } from './cert-table.js';
import { CertSync } from './cert-sync.js';

const box = new SecretBox('s'.repeat(40));
const entry = (id: string, c: TestCert, names: string[]): CertEntry => ({ id, app: 'a', names, cert: c.cert, sealedKey: box.seal(c.key), expiresAt: '2030-01-01T00:00:00Z' });

describe('CertSync', () => {
  let one: TestCert;
  let two: TestCert;
  before(async () => {
    [one, two] = await Promise.all([makeTestCert(['one.shop.test']), makeTestCert(['two.shop.test'])]);
  });
  after(async () => {
    for (const c of [one, two]) await c.cleanup();
  });

  const setup = () => {
    const store = new MemoryRouteStore();
    const table = new CertTable((s) => box.open(s));
    const sync = new CertSync(store, table, { logger: createLogger('test', 'silent'), resyncMs: 60_000 });
    return { store, table, sync };
  };

  test('under an epoch, a certificate the store no longer lists is removed', async () => {
    const { store, table, sync } = setup();
    await store.replaceAll([]);
    await store.setCert(entry('c1', one, ['one.shop.test']));
    await store.setCert(entry('c2', two, ['two.shop.test']));
    await sync.start();
    assert.deepEqual(table.ids().sort(), ['c1', 'c2']);
    await store.removeCert('c2');
    await sync.sync();
    assert.deepEqual(table.ids(), ['c1']);
    await sync.stop();
  });

  test('a store that came back empty (no epoch) removes nothing; the certificates written back and a new epoch make it whole again', async () => {
    const { store, table, sync } = setup();
    await store.replaceAll([]);
    await store.setCert(entry('c1', one, ['one.shop.test']));
    await store.setCert(entry('c2', two, ['two.shop.test']));
    await sync.start();
    store.lose();
    await sync.sync();
    assert.deepEqual(table.ids().sort(), ['c1', 'c2'], 'both still served over HTTPS');
    assert.ok(table.contextFor('one.shop.test', 'a'));
    // The controller writes back what PostgreSQL holds (c2 was removed meanwhile), then the routes under a new epoch.
    await store.setCert(entry('c1', one, ['one.shop.test']));
    await sync.sync();
    assert.deepEqual(table.ids().sort(), ['c1', 'c2'], 'still no epoch: nothing removed');
    await store.replaceAll([]);
    await sync.sync();
    assert.deepEqual(table.ids(), ['c1'], 'under the new epoch the list is whole');
    await sync.stop();
  });
});
