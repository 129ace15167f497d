/**
 * What no request, push or fault may leave behind in the platform's database: each entry counts the
 * offending rows. Shared by the API fuzzer (test/fuzz/fuzz-controller.ts) and the git receiver's
 * property test (test/fuzz/git-push-fuzz.test.ts).
 */
import type pg from 'pg';

export const dbInvariants: [string, string][] = [
  ['transactions left open', "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'"],
  // The log collector's leader lock (727007) is held for as long as a controller runs: not left behind.
  ['advisory locks still held', "SELECT count(*)::int AS n FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND a.datname = current_database() AND NOT (l.classid = 0 AND l.objid = 727007)"],
  ['apps whose release counter is behind their releases', 'SELECT count(*)::int AS n FROM apps a WHERE a.release_seq < (SELECT coalesce(max(version), 0) FROM releases r WHERE r.app_id = a.id)'],
  ["apps without their app.create audit event", "SELECT count(*)::int AS n FROM apps a WHERE NOT EXISTS (SELECT 1 FROM audit_events e WHERE e.action = 'app.create' AND e.app = a.name)"],
  ['API tokens without their authorization.create audit event', "SELECT count(*)::int AS n FROM api_tokens t WHERE NOT EXISTS (SELECT 1 FROM audit_events e WHERE e.action = 'authorization.create' AND e.details->>'id' = t.id::text)"],
  ['log drains without their drain.add audit event', "SELECT count(*)::int AS n FROM log_drains d JOIN apps a ON a.id = d.app_id WHERE NOT EXISTS (SELECT 1 FROM audit_events e WHERE e.action = 'drain.add' AND e.app = a.name)"],
  ['formation rows with a negative or huge quantity', 'SELECT count(*)::int AS n FROM formation WHERE quantity < 0 OR quantity > 10000'],
  // Orphans: work nothing drives any more, and rows that point across apps.
  ['builds in progress that no live controller holds (orphan builds)', "SELECT count(*)::int AS n FROM builds WHERE status IN ('pending', 'building') AND (lease_expires_at IS NULL OR lease_expires_at < now())"],
  ['releases being deployed that no live controller holds (orphan deploys)', "SELECT count(*)::int AS n FROM releases WHERE status = 'pending' AND lease_expires_at < now()"],
  ['releases of a build of another app (orphan releases)', 'SELECT count(*)::int AS n FROM releases r JOIN builds b ON b.id = r.build_id WHERE b.app_id <> r.app_id'],
  ['releases of a build that did not succeed', "SELECT count(*)::int AS n FROM releases r JOIN builds b ON b.id = r.build_id WHERE b.status <> 'succeeded'"],
  ['formation rows of a process type no release of the app has (orphan formations)', 'SELECT count(*)::int AS n FROM formation f WHERE NOT EXISTS (SELECT 1 FROM releases r WHERE r.app_id = f.app_id AND r.process_types ? f.type)'],
  ['builds finished without a finish time', "SELECT count(*)::int AS n FROM builds WHERE status IN ('succeeded', 'failed') AND finished_at IS NULL"],
];

/** The invariants broken now, as `what: count` lines (empty: consistent). */
export async function dbProblems(db: pg.Pool | pg.Client): Promise<string[]> {
  const problems: string[] = [];
  for (const [what, sql] of dbInvariants) {
    try {
      const n = (await db.query<{ n: number }>(sql)).rows[0]?.n ?? 0;
      if (n > 0) problems.push(`${what}: ${n}`);
    } catch (err) {
      problems.push(`${what}: the check failed (${(err as Error).message})`);
    }
  }
  return problems;
}
