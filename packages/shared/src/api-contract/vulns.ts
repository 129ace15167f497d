// Software bills of materials, vulnerability findings, advisory databases and release policies.
import { z } from 'zod';
import { timestamp } from './common.js';

const property = z.object({ name: z.string(), value: z.string() });

/** A release's SBOM in CycloneDX 1.6 JSON, as `GET /apps/{app}/releases/{release}/sbom` answers it. */
export const cycloneDxDocumentSchema = z
  .object({
    bomFormat: z.literal('CycloneDX'),
    specVersion: z.string(),
    serialNumber: z.string().optional(),
    version: z.number().int(),
    metadata: z.object({ timestamp: z.string().optional(), component: z.object({ name: z.string() }).passthrough().optional(), properties: z.array(property).optional() }).passthrough(),
    components: z
      .array(
        z
          .object({
            type: z.string(),
            name: z.string(),
            group: z.string().optional(),
            version: z.string().optional(),
            purl: z.string().optional(),
            'bom-ref': z.string().optional(),
            licenses: z.array(z.record(z.unknown())).optional(),
            properties: z.array(property).optional().describe('paas:layer (the diff id of its layer), paas:path, paas:ecosystem, paas:deb:source'),
          })
          .passthrough(),
      )
      .default([]),
  })
  .passthrough();

/** The same SBOM in SPDX 2.3 JSON (`?format=spdx`). */
export const spdxDocumentSchema = z
  .object({
    spdxVersion: z.literal('SPDX-2.3'),
    dataLicense: z.literal('CC0-1.0'),
    SPDXID: z.literal('SPDXRef-DOCUMENT'),
    name: z.string(),
    documentNamespace: z.string(),
    creationInfo: z.object({ created: z.string(), creators: z.array(z.string()) }),
    packages: z.array(
      z
        .object({
          SPDXID: z.string(),
          name: z.string(),
          versionInfo: z.string().optional(),
          downloadLocation: z.string(),
          licenseDeclared: z.string(),
          licenseConcluded: z.string(),
          copyrightText: z.string(),
          filesAnalyzed: z.boolean(),
          externalRefs: z.array(z.object({ referenceCategory: z.string(), referenceType: z.string(), referenceLocator: z.string() })).optional(),
          comment: z.string().optional(),
        })
        .passthrough(),
    ),
    relationships: z.array(z.object({ spdxElementId: z.string(), relationshipType: z.string(), relatedSpdxElement: z.string() })),
  })
  .passthrough();

export const sbomDocumentSchema = z.union([cycloneDxDocumentSchema, spdxDocumentSchema]);

export const severitySchema = z.enum(['critical', 'high', 'medium', 'low', 'unknown']);

export const vulnFindingSchema = z.object({
  advisory: z.string(),
  aliases: z.array(z.string()),
  severity: severitySchema,
  score: z.number().nullable().describe('CVSS v3 base score, when the advisory gives a vector'),
  ecosystem: z.string().describe('npm, PyPI, Go or Debian:N'),
  package: z.string(),
  version: z.string(),
  fixed: z.string().nullable().describe('The first fixed version after the installed one; null: none yet'),
  summary: z.string(),
});

const severityCounts = z.object({ critical: z.number().int(), high: z.number().int(), medium: z.number().int(), low: z.number().int(), unknown: z.number().int() });

export const vulnPolicySchema = z.object({
  action: z.enum(['off', 'warn', 'refuse']),
  severity: z.enum(['critical', 'high', 'medium', 'low']),
  source: z.enum(['app', 'platform']).describe("app: the app's own; platform: PAAS_VULN_POLICY"),
});

export const releaseVulnsSchema = z.object({
  release: z.object({ version: z.number().int(), build: z.string().nullable() }),
  components: z.number().int().describe('Components in the release image'),
  counts: severityCounts,
  findings: z.array(vulnFindingSchema),
  truncated: z.boolean().describe('More findings than `limit` matched'),
  policy: vulnPolicySchema,
});

export const appVulnsSchema = z.array(
  z.object({
    app: z.string(),
    release: z.number().int().nullable().describe('The live release; null: none yet'),
    has_sbom: z.boolean(),
    counts: severityCounts,
  }),
);

export const vulnDbImportSchema = z.object({
  format: z.enum(['osv-zip', 'osv-json', 'debian-tracker']),
  advisories: z.number().int(),
  affected: z.number().int().describe('Affected package entries stored'),
  builds: z.number().int().describe('Builds matched again'),
  findings: z.number().int().describe('Findings those builds have now'),
});

export const vulnDbStatusSchema = z.object({
  advisories: z.number().int(),
  by_source: z.record(z.number().int()),
  last_import: timestamp.nullable(),
});

export const vulnAllowEntrySchema = z.object({ advisory: z.string(), expires_at: timestamp, reason: z.string(), expired: z.boolean() });

export type CycloneDxDocument = z.infer<typeof cycloneDxDocumentSchema>;
export type SpdxDocument = z.infer<typeof spdxDocumentSchema>;
export type VulnFinding = z.infer<typeof vulnFindingSchema>;
export type ReleaseVulns = z.infer<typeof releaseVulnsSchema>;
export type AppVulns = z.infer<typeof appVulnsSchema>;
export type VulnDbImport = z.infer<typeof vulnDbImportSchema>;
export type VulnDbStatus = z.infer<typeof vulnDbStatusSchema>;
export type VulnPolicyInfo = z.infer<typeof vulnPolicySchema>;
export type VulnAllowEntry = z.infer<typeof vulnAllowEntrySchema>;
