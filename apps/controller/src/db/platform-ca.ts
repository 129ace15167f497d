import type pg from 'pg';
import { SecretBox } from '@paas/shared';
import { createCa, PlatformCa } from '../pki/platform-ca.js';
import { inTransaction } from './queryable.js';

/** Sealing context of the CA's key: bound to its row. */
const keyContext = 'platform_ca:1';

/**
 * paas's CA, made on first use and shared by every controller (and the embedded registry) through
 * PostgreSQL; its key is sealed with the platform secret. Concurrent first uses make one CA: the
 * row is written under a transaction-scoped lock and read back.
 */
export async function loadPlatformCa(pool: pg.Pool, secret: string): Promise<PlatformCa> {
  const box = new SecretBox(secret, 'platform ca');
  const read = async (db: Pick<pg.Pool, 'query'>): Promise<PlatformCa | undefined> => {
    const { rows } = await db.query<{ cert: string; key_sealed: string }>('SELECT cert, key_sealed FROM platform_ca WHERE id = 1');
    const row = rows[0];
    return row ? new PlatformCa({ cert: row.cert, key: box.open(row.key_sealed, keyContext) }) : undefined;
  };
  const existing = await read(pool);
  if (existing) return existing;
  return inTransaction(pool, async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock(hashtext('paas platform ca'))");
    const raced = await read(tx);
    if (raced) return raced;
    const made = await createCa();
    await tx.query('INSERT INTO platform_ca (id, cert, key_sealed) VALUES (1, $1, $2)', [made.cert, box.seal(made.key, keyContext)]);
    return new PlatformCa(made);
  });
}
