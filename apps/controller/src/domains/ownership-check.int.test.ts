// The start-up ownership check against real PostgreSQL: rows stored before the rules are reported.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '../db/test-database.js';
import { findOwnershipViolations } from './ownership-check.js';

describe('ownership check', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase();
  });
  after(async () => db.drop());

  async function app(name: string): Promise<string> {
    const owner = await db.pool.query<{ id: string }>(`INSERT INTO users (email, password_hash) VALUES ($1, 'x') RETURNING id`, [`${name}@example.com`]);
    const { rows } = await db.pool.query<{ id: string }>('INSERT INTO apps (name, owner_id) VALUES ($1, $2) RETURNING id', [name, owner.rows[0]!.id]);
    return rows[0]!.id;
  }
  async function cert(appId: string, names: string[]): Promise<string> {
    const { rows } = await db.pool.query<{ id: string }>(
      `INSERT INTO certs (app_id, names, cert_chain, key_sealed, fingerprint, subject, issuer, not_before, expires_at)
       VALUES ($1, $2, 'pem', 'sealed', $3, 'CN=x', 'CN=x', now(), now() + interval '1 day') RETURNING id`,
      [appId, names, names.join(',')],
    );
    return rows[0]!.id;
  }

  test('domains under the platform domain and certificates naming what their app does not hold are reported, nothing else', async () => {
    const shop = await app('shop');
    const evil = await app('evil');
    await db.pool.query('INSERT INTO domains (app_id, hostname) VALUES ($1, $2), ($1, $3), ($4, $5)', [shop, 'www.shop.test', '*.shop.test', evil, 'old.localhost']);
    const good = await cert(shop, ['shop.localhost', 'www.shop.test', 'api.shop.test', '*.shop.test']);
    const takeover = await cert(evil, ['evil.localhost', '*.localhost', 'www.shop.test', 'other.example']);
    const violations = await findOwnershipViolations(db.pool, 'localhost');
    assert.deepEqual(
      violations.map((v) => [v.kind, v.app, v.name]),
      [
        ['domain', 'evil', 'old.localhost'],
        ['certificate', 'evil', '*.localhost'],
        ['certificate', 'evil', 'www.shop.test'],
        ['certificate', 'evil', 'other.example'],
      ],
    );
    assert.ok(violations.filter((v) => v.kind === 'certificate').every((v) => v.id === takeover));
    assert.ok(!violations.some((v) => v.id === good));
  });
});
