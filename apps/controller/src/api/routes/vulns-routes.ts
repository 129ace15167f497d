import { createGunzip } from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type { Request } from 'express';
import { z } from 'zod';
import { AppError } from '@paas/shared';
import {
  appVulnsSchema,
  releaseVulnsSchema,
  sbomDocumentSchema,
  vulnAllowEntrySchema,
  vulnDbImportSchema,
  vulnDbStatusSchema,
  vulnPolicySchema,
  type CycloneDxDocument,
} from '@paas/shared/api-contract';
import { listApps, type AppRow } from '../../db/apps.js';
import { currentRelease, type ReleaseRow } from '../../db/releases.js';
import { findRelease } from '../../db/release-ref.js';
import { getBuildSbom, listFindings, vulnDbStatus } from '../../db/vulns.js';
import { allowAdvisory, clearAppVulnPolicy, disallowAdvisory, listAllowed, setAppVulnPolicy } from '../../db/vuln-policies.js';
import { openSbom } from '../../vulns/sbom-components.js';
import { cycloneDxToSpdx } from '../../vulns/spdx.js';
import { severities, severityRank } from '../../vulns/severity.js';
import type { VulnService } from '../../vulns/vuln-service.js';
import type { ApiContext } from '../context.js';
import { requester } from '../auth.js';
import type { RouteTable } from '../route-table.js';

const releaseParam = { release: 'The release: v3, 3, its id, or current' };
const advisoryId = z.string().min(1).max(200).regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'an advisory id such as GHSA-xxxx-xxxx-xxxx or CVE-2024-1234');

const sbomQuery = z.object({ format: z.enum(['cyclonedx', 'spdx']).default('cyclonedx').describe('cyclonedx (CycloneDX 1.6 JSON) or spdx (SPDX 2.3 JSON)') });
const vulnsQuery = z.object({
  severity: z.enum(['critical', 'high', 'medium', 'low', 'unknown']).optional().describe('Only findings at or above this severity'),
  limit: z.coerce.number().int().min(1).max(10_000).default(1000).describe('Findings listed at most'),
});
const policyBody = z.object({ action: z.enum(['off', 'warn', 'refuse']), severity: z.enum(['critical', 'high', 'medium', 'low']).default('high') }).strict();
const allowBody = z
  .object({
    expires_at: z.string().datetime({ offset: true }).describe('When the entry stops counting (ISO 8601, at most a year ahead)'),
    reason: z.string().max(500).default(''),
  })
  .strict();

function counts(findings: { severity: string }[]): Record<(typeof severities)[number], number> {
  const c = { critical: 0, high: 0, medium: 0, low: 0, unknown: 0 };
  for (const f of findings) c[f.severity as keyof typeof c] = (c[f.severity as keyof typeof c] ?? 0) + 1;
  return c;
}

/** Reads an upload's bytes, refusing (413) one larger than `max` before or while it arrives. */
async function readUpload(req: Request, max: number): Promise<Buffer> {
  const encoding = String(req.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding !== 'identity') throw new AppError('unsupported_media_type', 'upload the database as it is (a zip is compressed already): no Content-Encoding');
  const declared = Number(req.headers['content-length'] ?? NaN);
  const tooLarge = new AppError('payload_too_large', `the database is larger than ${Math.round(max / 1024 / 1024)} MB (PAAS_VULNDB_MAX_MB)`);
  if (declared > max) throw tooLarge;
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes > max) throw tooLarge;
    chunks.push(chunk);
  }
  if (bytes === 0) throw new AppError('invalid_params', 'the upload is empty: send a zip of OSV records, a JSON array of them, or the Debian security tracker\'s JSON');
  return Buffer.concat(chunks);
}

/** SBOMs, findings, advisory databases and release policies (issue 21). */
export function vulnsRoutes(table: RouteTable, ctx: ApiContext, vulns: VulnService, o: { maxUploadBytes: number }): void {
  const releaseOf = async (app: AppRow, ref: string): Promise<ReleaseRow> => {
    if (ref === 'current') {
      const rel = await currentRelease(ctx.pool, ctx.access.cipher, app.id);
      if (!rel) throw new AppError('release_not_found', `${app.name} has no release yet`);
      return rel;
    }
    return findRelease(ctx.pool, ctx.access.cipher, app, ref);
  };

  table.add({
    method: 'get',
    path: '/apps/:app/releases/:release/sbom',
    action: 'app:read',
    tag: 'vulns',
    summary: "The release image's software bill of materials (`paas releases:sbom`): CycloneDX 1.6 or SPDX 2.3 JSON",
    description: 'CycloneDX is served as stored: gzip-encoded to clients that accept it, streamed otherwise.',
    params: releaseParam,
    query: sbomQuery,
    response: sbomDocumentSchema,
    raw: { contentType: 'application/json' },
    handler: async ({ app, params, query, req, res }) => {
      const release = await releaseOf(app, params['release'] ?? '');
      const sbom = release.build_id ? await getBuildSbom(ctx.pool, release.build_id) : undefined;
      if (!sbom) throw new AppError('sbom_not_found', `v${release.version} of ${app.name} has no SBOM (its image was built before inventories, or its inventory failed)`);
      res.setHeader('content-disposition', `attachment; filename="${app.name}-v${release.version}.${query.format}.json"`);
      if (query.format === 'spdx') {
        const cdx = JSON.parse(openSbom(sbom.document)) as CycloneDxDocument;
        res.status(200).json(cycloneDxToSpdx(cdx, { app: app.name, buildId: release.build_id! }));
        return;
      }
      res.status(200).setHeader('content-type', 'application/vnd.cyclonedx+json; version=1.6');
      res.setHeader('vary', 'accept-encoding');
      if (/\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) {
        res.setHeader('content-encoding', 'gzip');
        res.setHeader('content-length', sbom.document.length);
        res.end(sbom.document);
        return;
      }
      await pipeline(Readable.from([sbom.document]), createGunzip(), res);
    },
  });

  table.add({
    method: 'get',
    path: '/apps/:app/releases/:release/vulns',
    action: 'app:read',
    tag: 'vulns',
    summary: "Known vulnerabilities in the release image, most severe first, with the fixed versions (`paas releases:vulns`)",
    params: releaseParam,
    query: vulnsQuery,
    response: releaseVulnsSchema,
    handler: async ({ app, params, query }) => {
      const release = await releaseOf(app, params['release'] ?? '');
      const sbom = release.build_id ? await getBuildSbom(ctx.pool, release.build_id) : undefined;
      if (!sbom) throw new AppError('sbom_not_found', `v${release.version} of ${app.name} has no SBOM: nothing to match`);
      const all = await listFindings(ctx.pool, [release.build_id!]);
      const min = query.severity ? severityRank(query.severity) : 0;
      const shown = all.filter((f) => severityRank(f.severity) >= min);
      const { policy, source } = await vulns.policyOf(app.id);
      return {
        release: { version: release.version, build: release.build_id },
        components: sbom.components,
        counts: counts(all),
        findings: shown.slice(0, query.limit).map((f) => ({
          advisory: f.advisory_id,
          aliases: f.aliases,
          severity: f.severity,
          score: f.score,
          ecosystem: f.ecosystem,
          package: f.package,
          version: f.version,
          fixed: f.fixed,
          summary: f.summary,
        })),
        truncated: shown.length > query.limit,
        policy: { ...policy, source },
      };
    },
  });

  table.add({
    method: 'get',
    path: '/vulns',
    action: 'account',
    tag: 'vulns',
    summary: 'Known vulnerabilities in the live release of every app you can see, counted by severity (`paas apps:vulns`)',
    response: appVulnsSchema,
    handler: async ({ user }) => {
      const apps = await listApps(ctx.pool, user, { limit: 1000 });
      const { rows } = await ctx.pool.query<{ app_id: string; version: number; build_id: string | null; has_sbom: boolean }>(
        `SELECT DISTINCT ON (r.app_id) r.app_id, r.version, r.build_id, (s.build_id IS NOT NULL) AS has_sbom
           FROM releases r LEFT JOIN build_sboms s ON s.build_id = r.build_id
          WHERE r.app_id = ANY($1::uuid[]) AND r.status = 'succeeded' ORDER BY r.app_id, r.version DESC`,
        [apps.map((a) => a.id)],
      );
      const live = new Map(rows.map((r) => [r.app_id, r]));
      const builds = rows.flatMap((r) => (r.build_id ? [r.build_id] : []));
      const findings = builds.length > 0 ? await listFindings(ctx.pool, builds) : [];
      return apps.map((a) => {
        const r = live.get(a.id);
        return {
          app: a.name,
          release: r?.version ?? null,
          has_sbom: r?.has_sbom ?? false,
          counts: counts(findings.filter((f) => r?.build_id && f.build_id === r.build_id)),
        };
      });
    },
  });

  table.add({
    method: 'get',
    path: '/apps/:app/vuln-policy',
    action: 'app:read',
    tag: 'vulns',
    summary: "The release policy the app's pushes are held to (`paas vulns:policy`)",
    response: vulnPolicySchema,
    handler: async ({ app }) => {
      const { policy, source } = await vulns.policyOf(app.id);
      return { ...policy, source };
    },
  });

  table.add({
    method: 'put',
    path: '/apps/:app/vuln-policy',
    action: 'app:vulns:manage',
    tag: 'vulns',
    summary: "Sets the app's own release policy: off, warn, or refuse releases with findings at or above a severity (`paas vulns:policy:set`)",
    body: policyBody,
    example: { action: 'refuse', severity: 'high' },
    response: vulnPolicySchema,
    handler: async ({ app, body, req }) => {
      await setAppVulnPolicy(ctx.pool, app.id, body);
      await ctx.access.audit.record({ ...requester(req), action: 'vulns.policy', app: app.name, details: { ...body } });
      return { ...body, source: 'app' as const };
    },
  });

  table.add({
    method: 'delete',
    path: '/apps/:app/vuln-policy',
    action: 'app:vulns:manage',
    tag: 'vulns',
    summary: "Drops the app's own policy: the platform's (PAAS_VULN_POLICY) applies again",
    response: vulnPolicySchema,
    handler: async ({ app, req }) => {
      await clearAppVulnPolicy(ctx.pool, app.id);
      await ctx.access.audit.record({ ...requester(req), action: 'vulns.policy', app: app.name, details: { reset: true } });
      return { ...vulns.platformPolicy, source: 'platform' as const };
    },
  });

  const allowJson = (e: { advisory_id: string; expires_at: Date; reason: string }) => ({
    advisory: e.advisory_id,
    expires_at: e.expires_at.toISOString(),
    reason: e.reason,
    expired: e.expires_at.getTime() <= Date.now(),
  });

  table.add({
    method: 'get',
    path: '/apps/:app/vuln-allowlist',
    action: 'app:read',
    tag: 'vulns',
    summary: 'Advisories the release policy lets through for a while (`paas vulns:allowed`)',
    response: z.array(vulnAllowEntrySchema),
    handler: async ({ app }) => (await listAllowed(ctx.pool, app.id)).map(allowJson),
  });

  table.add({
    method: 'put',
    path: '/apps/:app/vuln-allowlist/:advisory',
    action: 'app:vulns:manage',
    tag: 'vulns',
    summary: 'Lets one advisory (by id or alias) through the release policy until a date (`paas vulns:allow`)',
    params: { advisory: 'The advisory id, e.g. GHSA-xxxx-xxxx-xxxx or CVE-2024-1234' },
    body: allowBody,
    example: { expires_at: '2030-01-01T00:00:00Z', reason: 'not reachable from our code' },
    response: vulnAllowEntrySchema,
    handler: async ({ app, params, body, req }) => {
      const id = advisoryId.safeParse(params['advisory']);
      if (!id.success) throw new AppError('invalid_params', `advisory: ${id.error.issues[0]?.message ?? 'invalid'}`);
      const expires = new Date(body.expires_at);
      if (expires.getTime() <= Date.now()) throw new AppError('invalid_params', 'expires_at: must be in the future');
      if (expires.getTime() > Date.now() + 366 * 86_400_000) throw new AppError('invalid_params', 'expires_at: at most a year ahead');
      const entry = { advisory_id: id.data, expires_at: expires, reason: body.reason };
      if (!(await allowAdvisory(ctx.pool, app.id, entry))) throw new AppError('limit_exceeded', `${app.name} already allows 500 advisories`);
      await ctx.access.audit.record({ ...requester(req), action: 'vulns.allow', app: app.name, details: { advisory: id.data, expires_at: body.expires_at } });
      return allowJson(entry);
    },
  });

  table.add({
    method: 'delete',
    path: '/apps/:app/vuln-allowlist/:advisory',
    action: 'app:vulns:manage',
    tag: 'vulns',
    summary: 'Removes an advisory from the allow-list',
    params: { advisory: 'The advisory id' },
    response: z.object({ advisory: z.string() }),
    handler: async ({ app, params, req }) => {
      const id = params['advisory'] ?? '';
      if (!(await disallowAdvisory(ctx.pool, app.id, id))) throw new AppError('not_found', `${app.name} does not allow ${id.slice(0, 200)}`);
      await ctx.access.audit.record({ ...requester(req), action: 'vulns.disallow', app: app.name, details: { advisory: id } });
      return { advisory: id };
    },
  });

  table.add({
    method: 'post',
    path: '/admin/vulndb/imports',
    action: 'admin',
    tag: 'admin',
    summary: 'Imports an advisory database (`paas admin:vulndb:import FILE`) and matches every release again',
    description:
      'The body is the file itself: a zip of OSV records, a JSON array of OSV records (or one), or the Debian security tracker JSON (package → CVE → releases). Ecosystems npm, PyPI, Go and Debian are kept.',
    response: vulnDbImportSchema,
    handler: async ({ req }) => {
      const upload = await readUpload(req, o.maxUploadBytes);
      const result = await vulns.importDb(upload);
      await ctx.access.audit.record({ ...requester(req), action: 'vulndb.import', details: { ...result } });
      return result;
    },
  });

  table.add({
    method: 'get',
    path: '/admin/vulndb',
    action: 'admin',
    tag: 'admin',
    summary: 'The advisory database: how many advisories, from where, imported when',
    response: vulnDbStatusSchema,
    handler: async () => vulnDbStatus(ctx.pool),
  });
}
