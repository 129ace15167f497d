import type pg from 'pg';
import { assertPlatformSecret, recordPlatformSecret } from '../auth/platform-secret.js';
import { encryptStoredConfig } from './config-vars.js';
import { defaultMigrationsDir, migrate } from './migrator.js';
import { type SecretBox } from '@paas/shared';

/**
 * How the controller (and `npm run up`'s first-run step) brings the database up to date: refuse a
 * platform secret that cannot open what is stored, apply the migrations (before 011 drops the
 * plaintext config columns, what was left in them is encrypted), then store the secret's check value.
 */
export async function migratePlatform(pool: pg.Pool, cipher: SecretBox, dir = defaultMigrationsDir): Promise<string[]> {
  await assertPlatformSecret(pool, cipher);
  const applied = await migrate(pool, dir, { '011': (tx) => encryptStoredConfig(tx, cipher) });
  await recordPlatformSecret(pool, cipher);
  return applied;
}
