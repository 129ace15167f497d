import type pg from 'pg';
import type { Advisory } from '../vulns/advisory-records.js';
import type { StoredComponent } from '../vulns/sbom-components.js';
import type { Finding } from '../vulns/match.js';
import { inTransaction, type Queryable } from './queryable.js';

/** Stores a build's SBOM (gzipped CycloneDX) and its components, replacing any earlier one. */
export async function storeBuildSbom(pool: pg.Pool, s: { buildId: string; appId: string; document: Buffer; components: StoredComponent[] }): Promise<void> {
  await inTransaction(pool, async (tx) => {
    await tx.query('DELETE FROM build_components WHERE build_id = $1', [s.buildId]);
    await tx.query(
      `INSERT INTO build_sboms (build_id, app_id, document, components) VALUES ($1, $2, $3, $4)
       ON CONFLICT (build_id) DO UPDATE SET document = EXCLUDED.document, components = EXCLUDED.components, created_at = now()`,
      [s.buildId, s.appId, s.document, s.components.length],
    );
    for (let i = 0; i < s.components.length; i += 5000) {
      const part = s.components.slice(i, i + 5000);
      const col = <K extends keyof StoredComponent>(k: K): string[] => part.map((c) => c[k]);
      await tx.query(
        `INSERT INTO build_components (build_id, ecosystem, name, version, package, installed, layer, path)
         SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])`,
        [s.buildId, col('ecosystem'), col('name'), col('version'), col('package'), col('installed'), col('layer'), col('path')],
      );
    }
  });
}

/** A build's SBOM document (gzipped CycloneDX JSON), or undefined. */
export async function getBuildSbom(db: Queryable, buildId: string): Promise<{ document: Buffer; components: number; created_at: Date } | undefined> {
  const { rows } = await db.query<{ document: Buffer; components: number; created_at: Date }>(
    'SELECT document, components, created_at FROM build_sboms WHERE build_id = $1',
    [buildId],
  );
  return rows[0];
}

export async function buildComponents(db: Queryable, buildIds: string[]): Promise<(StoredComponent & { build_id: string })[]> {
  const { rows } = await db.query<StoredComponent & { build_id: string }>(
    'SELECT build_id, ecosystem, name, version, package, installed, layer, path FROM build_components WHERE build_id = ANY($1::uuid[])',
    [buildIds],
  );
  return rows;
}

/** Stores advisories (an advisory imported again replaces its earlier copy). */
export async function storeAdvisories(tx: Queryable, advisories: Advisory[]): Promise<void> {
  for (let i = 0; i < advisories.length; i += 2000) {
    const part = advisories.slice(i, i + 2000);
    const ids = part.map((a) => a.id);
    await tx.query('DELETE FROM vuln_affected WHERE advisory_id = ANY($1::text[])', [ids]);
    await tx.query(
      `INSERT INTO vuln_advisories (id, source, summary, aliases, severity, score, modified)
       SELECT id, source, summary, ARRAY(SELECT jsonb_array_elements_text(aliases)), severity, score, modified
         FROM unnest($1::text[], $2::text[], $3::text[], $4::jsonb[], $5::text[], $6::real[], $7::timestamptz[])
           AS t(id, source, summary, aliases, severity, score, modified)
       ON CONFLICT (id) DO UPDATE SET source = EXCLUDED.source, summary = EXCLUDED.summary, aliases = EXCLUDED.aliases,
         severity = EXCLUDED.severity, score = EXCLUDED.score, modified = EXCLUDED.modified, imported_at = now()`,
      [ids, part.map((a) => a.source), part.map((a) => a.summary), part.map((a) => JSON.stringify(a.aliases)), part.map((a) => a.severity), part.map((a) => a.score ?? null), part.map((a) => a.modified ?? null)],
    );
    const rows = part.flatMap((a) => a.affected.map((f) => ({ id: a.id, ...f })));
    for (let j = 0; j < rows.length; j += 5000) {
      const r = rows.slice(j, j + 5000);
      await tx.query(
        `INSERT INTO vuln_affected (advisory_id, ecosystem, package, ranges, versions, severity)
         SELECT id, eco, pkg, ranges, ARRAY(SELECT jsonb_array_elements_text(versions)), sev
           FROM unnest($1::text[], $2::text[], $3::text[], $4::jsonb[], $5::jsonb[], $6::text[]) AS t(id, eco, pkg, ranges, versions, sev)`,
        [r.map((x) => x.id), r.map((x) => x.ecosystem), r.map((x) => x.package), r.map((x) => JSON.stringify(x.ranges)), r.map((x) => JSON.stringify(x.versions)), r.map((x) => x.severity ?? null)],
      );
    }
  }
}

export interface AffectedRow {
  advisory_id: string;
  ecosystem: string;
  package: string;
  ranges: Advisory['affected'][number]['ranges'];
  versions: string[];
  severity: string;
}

/** The advisories' affected entries for the packages some builds hold. */
export async function affectedFor(db: Queryable, buildIds: string[]): Promise<AffectedRow[]> {
  const { rows } = await db.query<AffectedRow>(
    `SELECT a.advisory_id, a.ecosystem, a.package, a.ranges, a.versions, COALESCE(a.severity, v.severity) AS severity
       FROM vuln_affected a JOIN vuln_advisories v ON v.id = a.advisory_id
      WHERE (a.ecosystem, a.package) IN (SELECT DISTINCT ecosystem, name FROM build_components WHERE build_id = ANY($1::uuid[]))`,
    [buildIds],
  );
  return rows;
}

/** Replaces the findings of some builds. */
export async function replaceFindings(pool: pg.Pool, buildIds: string[], findings: Finding[]): Promise<void> {
  await inTransaction(pool, async (tx) => {
    await tx.query('DELETE FROM vuln_findings WHERE build_id = ANY($1::uuid[])', [buildIds]);
    for (let i = 0; i < findings.length; i += 5000) {
      const f = findings.slice(i, i + 5000);
      await tx.query(
        `INSERT INTO vuln_findings (build_id, advisory_id, ecosystem, package, version, fixed, severity)
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) ON CONFLICT DO NOTHING`,
        [f.map((x) => x.buildId), f.map((x) => x.advisory), f.map((x) => x.ecosystem), f.map((x) => x.package), f.map((x) => x.version), f.map((x) => x.fixed ?? null), f.map((x) => x.severity)],
      );
    }
  });
}

export interface FindingRow {
  advisory_id: string;
  ecosystem: string;
  package: string;
  version: string;
  fixed: string | null;
  severity: string;
  summary: string;
  aliases: string[];
  score: number | null;
}

/** The findings of a build, most severe first. */
export async function listFindings(db: Queryable, buildIds: string[]): Promise<(FindingRow & { build_id: string })[]> {
  const { rows } = await db.query<FindingRow & { build_id: string }>(
    `SELECT f.build_id, f.advisory_id, f.ecosystem, f.package, f.version, f.fixed, f.severity, v.summary, v.aliases, v.score
       FROM vuln_findings f JOIN vuln_advisories v ON v.id = f.advisory_id
      WHERE f.build_id = ANY($1::uuid[])
      ORDER BY array_position(ARRAY['critical','high','medium','low','unknown'], f.severity), v.score DESC NULLS LAST, f.package, f.advisory_id`,
    [buildIds],
  );
  return rows;
}

/** Every build that has an SBOM, oldest first (for matching again after an import). */
export async function buildsWithSboms(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ build_id: string }>('SELECT build_id FROM build_sboms ORDER BY created_at');
  return rows.map((r) => r.build_id);
}

export async function advisoryCount(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM vuln_advisories');
  return Number(rows[0]!.n);
}

export async function vulnDbStatus(db: Queryable): Promise<{ advisories: number; by_source: Record<string, number>; last_import: string | null }> {
  const { rows } = await db.query<{ source: string; n: string; last: Date | null }>('SELECT source, count(*) AS n, max(imported_at) AS last FROM vuln_advisories GROUP BY source');
  const last = rows.map((r) => r.last).filter((d): d is Date => d !== null).sort((a, b) => b.getTime() - a.getTime())[0];
  return {
    advisories: rows.reduce((n, r) => n + Number(r.n), 0),
    by_source: Object.fromEntries(rows.map((r) => [r.source, Number(r.n)])),
    last_import: last ? last.toISOString() : null,
  };
}
