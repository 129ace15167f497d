/**
 * Called by `npm run up` before it starts anything: refuses (exit 1, with the way out) a platform
 * secret that cannot open what the database stores, e.g. a fresh PAAS_HOME (which brings a new
 * secret) against the `paas` database of an earlier one. Reads only; the controller migrates.
 */
import pg from 'pg';
import { loadConfig } from './config.js';
import { assertPlatformSecret } from './auth/platform-secret.js';
import { SecretBox } from '@paas/shared';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 1 });
  try {
    await assertPlatformSecret(pool, new SecretBox(config.secret, 'config vars'));
  } finally {
    await pool.end();
  }
}

main().catch((err: unknown) => {
  console.error(`paas: ${(err as Error).message}`);
  process.exit(1);
});
