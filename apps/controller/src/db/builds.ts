import type { ProcessTypes, StackName } from '@paas/shared';
import type { Queryable } from './queryable.js';

export type BuildStatus = 'pending' | 'building' | 'succeeded' | 'failed';

export interface BuildRow {
  id: string;
  app_id: string;
  user_id: string | null;
  commit: string;
  status: BuildStatus;
  error: string | null;
  image: string | null;
  process_types: ProcessTypes | null;
  buildpack: string | null;
  /** The stack it built on; null: built before stacks (on bookworm). */
  stack: StackName | null;
  created_at: Date;
  finished_at: Date | null;
  /** Builds from a tarball (POST /apps/{app}/builds): the source_blob; null for pushes. */
  source_url: string | null;
  source_version: string | null;
  source_checksum: string | null;
  /** The release made of it, if any. */
  release_id: string | null;
}

const columns = `id, app_id, user_id, commit, status, error, image, process_types, buildpack, stack, created_at, finished_at, source_url, source_version, source_checksum,
  (SELECT r.id FROM releases r WHERE r.build_id = builds.id ORDER BY r.version LIMIT 1) AS release_id`;

/** A build's source tarball, as given to POST /apps/{app}/builds. */
export interface BuildSource {
  url: string;
  version: string | null;
  checksum: string | null;
}

/** The lease a build starts with (see renewBuildLease); the controller driving it renews it. */
export interface BuildLease {
  holder: string;
  seconds: number;
}

/** A new build of the app, on the app's stack of now (its build_stack); `source` for a build from a tarball. */
export async function insertBuild(db: Queryable, appId: string, userId: string, commit: string, lease: BuildLease = { holder: 'unknown', seconds: 60 }, source?: BuildSource): Promise<BuildRow> {
  const { rows } = await db.query<BuildRow>(
    `INSERT INTO builds (app_id, user_id, commit, lease_holder, lease_expires_at, stack, source_url, source_version, source_checksum)
     VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5), (SELECT stack FROM apps WHERE id = $1), $6, $7, $8)
     RETURNING ${columns}`,
    [appId, userId, commit, lease.holder, lease.seconds, source?.url ?? null, source?.version ?? null, source?.checksum ?? null],
  );
  return rows[0]!;
}

export async function markBuildRunning(db: Queryable, id: string): Promise<void> {
  await db.query("UPDATE builds SET status = 'building' WHERE id = $1", [id]);
}

export async function finishBuild(
  db: Queryable,
  id: string,
  outcome:
    | { status: 'succeeded'; image: string; processTypes: ProcessTypes; buildpack: string; output: string }
    | { status: 'failed'; error: string; output: string },
): Promise<void> {
  if (outcome.status === 'succeeded') {
    await db.query(
      `UPDATE builds SET status = 'succeeded', image = $2, process_types = $3, buildpack = $4, output = $5, finished_at = now()
       WHERE id = $1`,
      [id, outcome.image, JSON.stringify(outcome.processTypes), outcome.buildpack, outcome.output],
    );
  } else {
    await db.query(
      "UPDATE builds SET status = 'failed', error = $2, output = $3, finished_at = now() WHERE id = $1 AND status IN ('pending', 'building')",
      [id, outcome.error, outcome.output],
    );
  }
}

/** Newest first, `limit` of them after the build `afterId` (the last one of the previous page). */
export async function listBuilds(db: Queryable, appId: string, limit = 50, afterId?: string): Promise<BuildRow[]> {
  const { rows } = await db.query<BuildRow>(
    `SELECT ${columns} FROM builds WHERE app_id = $1
        AND ($3::uuid IS NULL OR (created_at, id) < (SELECT created_at, id FROM builds WHERE id = $3 AND app_id = $1))
      ORDER BY created_at DESC, id DESC LIMIT $2`,
    [appId, limit, afterId ?? null],
  );
  return rows;
}

export async function getBuild(db: Queryable, appId: string, id: string): Promise<(BuildRow & { output: string }) | undefined> {
  const { rows } = await db.query<BuildRow & { output: string }>(
    `SELECT ${columns}, output FROM builds WHERE app_id = $1 AND id = $2`,
    [appId, id],
  );
  return rows[0];
}

export const lostControllerMessage = 'the controller running the build was lost (it stopped or was killed); push again';

/** Takes or renews the lease on a build in progress for `holder`, until `seconds` from now. False when the build has ended. */
export async function renewBuildLease(db: Queryable, id: string, holder: string, seconds: number): Promise<boolean> {
  const res = await db.query(
    `UPDATE builds SET lease_holder = $2, lease_expires_at = now() + make_interval(secs => $3)
      WHERE id = $1 AND status IN ('pending', 'building')`,
    [id, holder, seconds],
  );
  return (res.rowCount ?? 0) > 0;
}

/**
 * Builds in progress whose controller is gone: their lease expired (or, from before leases, they
 * have none). They can never finish, so they fail with a reason; a build a live controller holds
 * the lease on (this one's or another's) is left alone. Returns their ids.
 */
export async function failAbandonedBuilds(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `UPDATE builds SET status = 'failed', error = $1, finished_at = now()
      WHERE status IN ('pending', 'building') AND (lease_expires_at IS NULL OR lease_expires_at < now())
      RETURNING id`,
    [lostControllerMessage],
  );
  return rows.map((r) => r.id);
}
