import type { Queryable } from './queryable.js';

export interface CollaboratorRow {
  app_id: string;
  user_id: string;
  email: string;
  created_at: Date;
}

export async function listCollaborators(db: Queryable, appId: string): Promise<CollaboratorRow[]> {
  const { rows } = await db.query<CollaboratorRow>(
    `SELECT c.app_id, c.user_id, u.email, c.created_at FROM collaborators c JOIN users u ON u.id = c.user_id
      WHERE c.app_id = $1 ORDER BY u.email`,
    [appId],
  );
  return rows;
}

/** Adds a collaborator; undefined when they were one already. */
export async function addCollaborator(db: Queryable, appId: string, userId: string): Promise<CollaboratorRow | undefined> {
  const { rows } = await db.query<CollaboratorRow>(
    `WITH c AS (INSERT INTO collaborators (app_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING *)
     SELECT c.app_id, c.user_id, u.email, c.created_at FROM c JOIN users u ON u.id = c.user_id`,
    [appId, userId],
  );
  return rows[0];
}

export async function removeCollaborator(db: Queryable, appId: string, userId: string): Promise<boolean> {
  const res = await db.query('DELETE FROM collaborators WHERE app_id = $1 AND user_id = $2', [appId, userId]);
  return (res.rowCount ?? 0) > 0;
}

export async function isCollaborator(db: Queryable, appId: string, userId: string): Promise<boolean> {
  const { rows } = await db.query('SELECT 1 FROM collaborators WHERE app_id = $1 AND user_id = $2', [appId, userId]);
  return rows.length > 0;
}
