import type { Queryable } from './queryable.js';

export interface CertRow {
  id: string;
  app_id: string;
  /** The app's name (joined). */
  app: string;
  names: string[];
  cert_chain: string;
  key_sealed: string;
  fingerprint: string;
  subject: string;
  issuer: string;
  not_before: Date;
  expires_at: Date;
  created_at: Date;
}

export interface NewCert {
  appId: string;
  names: string[];
  certChain: string;
  keySealed: string;
  fingerprint: string;
  subject: string;
  issuer: string;
  notBefore: Date;
  expiresAt: Date;
}

const select = `SELECT c.id, c.app_id, a.name AS app, c.names, c.cert_chain, c.key_sealed, c.fingerprint, c.subject, c.issuer,
  c.not_before, c.expires_at, c.created_at FROM certs c JOIN apps a ON a.id = c.app_id`;

export async function insertCert(db: Queryable, c: NewCert): Promise<CertRow> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO certs (app_id, names, cert_chain, key_sealed, fingerprint, subject, issuer, not_before, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
    [c.appId, c.names, c.certChain, c.keySealed, c.fingerprint, c.subject, c.issuer, c.notBefore, c.expiresAt],
  );
  return (await db.query<CertRow>(`${select} WHERE c.id = $1`, [rows[0]!.id])).rows[0]!;
}

export async function listCerts(db: Queryable, appId: string): Promise<CertRow[]> {
  const { rows } = await db.query<CertRow>(`${select} WHERE c.app_id = $1 ORDER BY c.created_at`, [appId]);
  return rows;
}

export async function listAllCerts(db: Queryable): Promise<CertRow[]> {
  const { rows } = await db.query<CertRow>(`${select} ORDER BY c.created_at`);
  return rows;
}

/** The app's certificates with this id, or covering this name. */
export async function findCerts(db: Queryable, appId: string, idOrName: string): Promise<CertRow[]> {
  const { rows } = await db.query<CertRow>(`${select} WHERE c.app_id = $1 AND (c.id::text = $2 OR $2 = ANY(c.names))`, [appId, idOrName]);
  return rows;
}

export async function deleteCertById(db: Queryable, id: string): Promise<void> {
  await db.query('DELETE FROM certs WHERE id = $1', [id]);
}
