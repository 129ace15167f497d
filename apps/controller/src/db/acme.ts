import type { Queryable } from './queryable.js';

export interface AcmeDomainRow {
  app_id: string;
  hostname: string;
  status: 'pending' | 'issued' | 'failed';
  message: string | null;
  cert_id: string | null;
  expires_at: Date | null;
  attempts: number;
  next_attempt_at: Date;
  updated_at: Date;
}

export async function acmeEnabled(db: Queryable, appId: string): Promise<boolean> {
  return ((await db.query('SELECT 1 FROM acme_apps WHERE app_id = $1', [appId])).rowCount ?? 0) > 0;
}

export async function enableAcme(db: Queryable, appId: string): Promise<void> {
  await db.query('INSERT INTO acme_apps (app_id) VALUES ($1) ON CONFLICT DO NOTHING', [appId]);
}

/** Disables automatic certificates; answers the rows it had (their certificates are the caller's to remove). */
export async function disableAcme(db: Queryable, appId: string): Promise<AcmeDomainRow[]> {
  await db.query('DELETE FROM acme_apps WHERE app_id = $1', [appId]);
  const { rows } = await db.query<AcmeDomainRow>('DELETE FROM acme_domains WHERE app_id = $1 RETURNING *', [appId]);
  return rows;
}

export async function acmeDomainsOf(db: Queryable, appId: string): Promise<AcmeDomainRow[]> {
  const { rows } = await db.query<AcmeDomainRow>('SELECT * FROM acme_domains WHERE app_id = $1 ORDER BY hostname', [appId]);
  return rows;
}

/** The apps with automatic certificates, by id. */
export async function acmeAppIds(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ app_id: string }>('SELECT app_id FROM acme_apps ORDER BY enabled_at');
  return rows.map((r) => r.app_id);
}

export async function setAcmeDomain(
  db: Queryable,
  appId: string,
  hostname: string,
  change: { status: AcmeDomainRow['status']; message?: string | null; certId?: string | null; expiresAt?: Date | null; attempts?: number; nextAttemptAt?: Date },
): Promise<void> {
  await db.query(
    `INSERT INTO acme_domains (app_id, hostname, status, message, cert_id, expires_at, attempts, next_attempt_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, coalesce($7, 0), coalesce($8, now()), now())
     ON CONFLICT (app_id, hostname) DO UPDATE SET status = $3,
       message = CASE WHEN $9 THEN $4 ELSE acme_domains.message END,
       cert_id = CASE WHEN $10 THEN $5 ELSE acme_domains.cert_id END,
       expires_at = CASE WHEN $10 THEN $6 ELSE acme_domains.expires_at END,
       attempts = coalesce($7, acme_domains.attempts),
       next_attempt_at = coalesce($8, acme_domains.next_attempt_at),
       updated_at = now()`,
    [
      appId,
      hostname,
      change.status,
      change.message ?? null,
      change.certId ?? null,
      change.expiresAt ?? null,
      change.attempts ?? null,
      change.nextAttemptAt ?? null,
      change.message !== undefined,
      change.certId !== undefined,
    ],
  );
}

export async function acmeAccount(db: Queryable, directoryUrl: string): Promise<{ key_enc: Buffer; account_url: string | null } | undefined> {
  const { rows } = await db.query<{ key_enc: Buffer; account_url: string | null }>('SELECT key_enc, account_url FROM acme_accounts WHERE directory_url = $1', [directoryUrl]);
  return rows[0];
}

/** Stores a new account key unless another controller stored one first; answers the one stored. */
export async function saveAcmeAccount(db: Queryable, directoryUrl: string, keyEnc: Buffer): Promise<Buffer> {
  await db.query('INSERT INTO acme_accounts (directory_url, key_enc) VALUES ($1, $2) ON CONFLICT DO NOTHING', [directoryUrl, keyEnc]);
  return (await acmeAccount(db, directoryUrl))!.key_enc;
}

export async function setAcmeAccountUrl(db: Queryable, directoryUrl: string, url: string): Promise<void> {
  await db.query('UPDATE acme_accounts SET account_url = $2 WHERE directory_url = $1', [directoryUrl, url]);
}
