import type { Queryable } from './queryable.js';
import type { AddonKind } from '../addons/addon-plans.js';

export interface AddonRow {
  id: string;
  name: string;
  kind: AddonKind;
  /** shared (a database or user on a shared server) or container (a server of its own). */
  engine: 'shared' | 'container';
  plan: string;
  owner_id: string;
  app_id: string;
  /** The app it was created for (its home: destroying that app destroys it). */
  app_name: string;
  server_id: string | null;
  resource: string;
  url_enc: Buffer;
  created_at: Date;
}

export interface AttachmentRow {
  addon_id: string;
  app_id: string;
  app_name: string;
  as_name: string;
}

const select = `SELECT d.id, d.name, d.kind, d.engine, d.plan, d.owner_id, d.app_id, a.name AS app_name, d.server_id, d.resource, d.url_enc, d.created_at
  FROM addons d JOIN apps a ON a.id = d.app_id`;

export const addonUrlContext = (addonId: string): string => `addon:${addonId}`;
export const addonServerUrlContext = (serverId: string): string => `addon_server:${serverId}`;

export async function insertAddon(
  db: Queryable,
  row: { name: string; kind: AddonKind; engine: 'shared' | 'container'; plan: string; ownerId: string; appId: string; serverId: string | null; resource: string },
  urlEnc: (id: string) => Buffer,
): Promise<string> {
  const { rows } = await db.query<{ id: string }>('SELECT gen_random_uuid() AS id');
  const id = rows[0]!.id;
  await db.query(
    `INSERT INTO addons (id, name, kind, engine, plan, owner_id, app_id, server_id, resource, url_enc) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [id, row.name, row.kind, row.engine, row.plan, row.ownerId, row.appId, row.serverId, row.resource, urlEnc(id)],
  );
  return id;
}

export async function findAddon(db: Queryable, name: string): Promise<AddonRow | undefined> {
  const { rows } = await db.query<AddonRow>(`${select} WHERE d.name = $1`, [name]);
  return rows[0];
}

/** Add-ons attached to an app (its own and those shared with it), with the attachment's name. */
export async function addonsOfApp(db: Queryable, appId: string): Promise<(AddonRow & { as_name: string })[]> {
  const { rows } = await db.query<AddonRow & { as_name: string }>(
    `${select.replace(' FROM addons d', ', t.as_name FROM addons d')} JOIN addon_attachments t ON t.addon_id = d.id WHERE t.app_id = $1 ORDER BY d.created_at, d.name`,
    [appId],
  );
  return rows;
}

/** Add-ons created for an app (destroyed with it). */
export async function addonsHomedAt(db: Queryable, appId: string): Promise<AddonRow[]> {
  const { rows } = await db.query<AddonRow>(`${select} WHERE d.app_id = $1 ORDER BY d.created_at`, [appId]);
  return rows;
}

export async function allAddons(db: Queryable, kind: AddonKind): Promise<AddonRow[]> {
  const { rows } = await db.query<AddonRow>(`${select} WHERE d.kind = $1`, [kind]);
  return rows;
}

export async function attachmentsOf(db: Queryable, addonId: string): Promise<AttachmentRow[]> {
  const { rows } = await db.query<AttachmentRow>(
    `SELECT t.addon_id, t.app_id, a.name AS app_name, t.as_name FROM addon_attachments t JOIN apps a ON a.id = t.app_id
     WHERE t.addon_id = $1 ORDER BY t.created_at`,
    [addonId],
  );
  return rows;
}

export async function insertAttachment(db: Queryable, addonId: string, appId: string, asName: string): Promise<void> {
  await db.query('INSERT INTO addon_attachments (addon_id, app_id, as_name) VALUES ($1, $2, $3)', [addonId, appId, asName]);
}

export async function deleteAttachment(db: Queryable, addonId: string, appId: string): Promise<void> {
  await db.query('DELETE FROM addon_attachments WHERE addon_id = $1 AND app_id = $2', [addonId, appId]);
}

export async function deleteAddon(db: Queryable, id: string): Promise<void> {
  await db.query('DELETE FROM addons WHERE id = $1', [id]);
}

export async function updateAddonUrl(db: Queryable, id: string, urlEnc: Buffer): Promise<void> {
  await db.query('UPDATE addons SET url_enc = $2 WHERE id = $1', [id, urlEnc]);
}

/** How many add-ons a user owns (the add-ons quota). */
export async function addonCount(db: Queryable, ownerId: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM addons WHERE owner_id = $1', [ownerId]);
  return rows[0]!.n;
}

export async function addonsOfOwner(db: Queryable, ownerId: string): Promise<AddonRow[]> {
  const { rows } = await db.query<AddonRow>(`${select} WHERE d.owner_id = $1`, [ownerId]);
  return rows;
}

export interface AddonServerRow {
  id: string;
  kind: AddonKind;
  endpoint: string;
  url_enc: Buffer;
  created_at: Date;
}

export async function listAddonServers(db: Queryable): Promise<AddonServerRow[]> {
  const { rows } = await db.query<AddonServerRow>('SELECT id, kind, endpoint, url_enc, created_at FROM addon_servers ORDER BY created_at');
  return rows;
}

export async function insertAddonServer(db: Queryable, kind: AddonKind, endpoint: string, urlEnc: (id: string) => Buffer): Promise<string> {
  const { rows } = await db.query<{ id: string }>('SELECT gen_random_uuid() AS id');
  const id = rows[0]!.id;
  await db.query('INSERT INTO addon_servers (id, kind, endpoint, url_enc) VALUES ($1, $2, $3, $4)', [id, kind, endpoint, urlEnc(id)]);
  return id;
}

export async function deleteAddonServer(db: Queryable, id: string): Promise<void> {
  await db.query('DELETE FROM addon_servers WHERE id = $1', [id]);
}

export interface AttachmentListRow {
  addon_id: string;
  addon_name: string;
  home_app_id: string;
  home_app_name: string;
  app_id: string;
  app_name: string;
  as_name: string;
  created_at: Date;
}

/**
 * Attachments to the apps `user` may read (all for an admin), or to one app of theirs: Heroku's
 * `/addon-attachments` and `/apps/{app}/addon-attachments`. At most 1000, oldest first.
 */
export async function attachmentsVisibleTo(db: Queryable, user: { id: string; role: string }, appId?: string): Promise<AttachmentListRow[]> {
  const { rows } = await db.query<AttachmentListRow>(
    `SELECT t.addon_id, d.name AS addon_name, d.app_id AS home_app_id, h.name AS home_app_name, t.app_id, a.name AS app_name, t.as_name, t.created_at
       FROM addon_attachments t JOIN addons d ON d.id = t.addon_id JOIN apps a ON a.id = t.app_id JOIN apps h ON h.id = d.app_id
      WHERE ($3::uuid IS NULL OR t.app_id = $3)
        AND ($1::boolean OR a.owner_id = $2 OR EXISTS (SELECT 1 FROM collaborators c WHERE c.app_id = a.id AND c.user_id = $2))
      ORDER BY t.created_at, t.addon_id LIMIT 1000`,
    [user.role === 'admin', user.id, appId ?? null],
  );
  return rows;
}
