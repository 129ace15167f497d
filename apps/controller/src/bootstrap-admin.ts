/**
 * First-run set-up, called by `npm run up`: creates the admin account when there is no user yet,
 * saves its password under PAAS_HOME, and writes a logged-in CLI config (`$PAAS_HOME/cli.json`)
 * holding a long-lived API token. Running it again changes nothing.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { loadConfig } from './config.js';
import { migratePlatform } from './db/platform-migrations.js';
import { countUsers, createUser } from './db/users.js';
import { hashPassword } from './auth/passwords.js';
import { TokenService } from './auth/token-service.js';
import { insertAuditEvent } from './db/audit-events.js';
import { inTransaction } from './db/queryable.js';
import { SecretBox } from '@paas/shared';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const email = config.adminEmail;
  const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 2 });
  try {
    await migratePlatform(pool, new SecretBox(config.secret, 'config vars'));
    const cliConfig = join(config.home, 'cli.json');
    if ((await countUsers(pool)) > 0) {
      if (!existsSync(cliConfig)) {
        console.log(`users exist already; log the CLI in with: bin/paas login --api ${config.api.url}`);
      }
      return;
    }
    const password = randomBytes(12).toString('base64url');
    const hash = await hashPassword(password);
    // The account, its token and the token's audit event commit together, as the API issues tokens.
    const token = await inTransaction(pool, async (tx) => {
      const admin = await createUser(tx, email, hash, 'admin');
      const description = 'CLI (npm run up)';
      const issued = await new TokenService(pool, config.secret, config.jwtTtl).issueApiToken(admin.id, description, tx);
      await insertAuditEvent(tx, {
        actorId: admin.id,
        actorEmail: admin.email,
        action: 'authorization.create',
        details: { id: issued.authorization.id, description },
      });
      return issued.token;
    });
    await mkdir(config.home, { recursive: true, mode: 0o700 });
    await writeFile(join(config.home, 'admin-credentials'), `email=${email}\npassword=${password}\n`, { mode: 0o600 });
    await writeFile(cliConfig, JSON.stringify({ api_url: config.api.url, token, email }, null, 2) + '\n', { mode: 0o600 });
    console.log(`created the admin account ${email} (password in ${join(config.home, 'admin-credentials')})`);
  } finally {
    await pool.end();
  }
}

main().catch((err: unknown) => {
  console.error(`bootstrap: ${(err as Error).message}`);
  process.exit(1);
});
