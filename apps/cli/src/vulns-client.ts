import type { AppVulns, ReleaseVulns, VulnAllowEntry, VulnDbImport, VulnDbStatus, VulnPolicyInfo } from '@paas/shared/api-contract';
import type { ApiClient } from './api-client.js';
import { appPath } from './api-transport.js';

/** The API's calls for SBOMs, findings, policies and advisory imports (issue 21), kept apart from api-client.ts. */
export type { AppVulns, ReleaseVulns, VulnAllowEntry, VulnDbImport, VulnDbStatus, VulnPolicyInfo } from '@paas/shared/api-contract';

const release = (app: string, ref: string): string => `${appPath(app)}/releases/${encodeURIComponent(ref)}`;

export const vulnsApi = {
  /** The SBOM document's answer (its body streams). */
  sbom: (c: ApiClient, app: string, ref: string, format: 'cyclonedx' | 'spdx') => c.raw('GET', `${release(app, ref)}/sbom?format=${format}`),
  releaseVulns: (c: ApiClient, app: string, ref: string, severity?: string) =>
    c.request<ReleaseVulns>('GET', `${release(app, ref)}/vulns${severity ? `?severity=${encodeURIComponent(severity)}` : ''}`),
  appsVulns: (c: ApiClient) => c.request<AppVulns>('GET', '/vulns'),
  policy: (c: ApiClient, app: string) => c.request<VulnPolicyInfo>('GET', `${appPath(app)}/vuln-policy`),
  setPolicy: (c: ApiClient, app: string, body: { action: string; severity: string }) => c.request<VulnPolicyInfo>('PUT', `${appPath(app)}/vuln-policy`, body),
  resetPolicy: (c: ApiClient, app: string) => c.request<VulnPolicyInfo>('DELETE', `${appPath(app)}/vuln-policy`),
  allowed: (c: ApiClient, app: string) => c.request<VulnAllowEntry[]>('GET', `${appPath(app)}/vuln-allowlist`),
  allow: (c: ApiClient, app: string, advisory: string, body: { expires_at: string; reason: string }) =>
    c.request<VulnAllowEntry>('PUT', `${appPath(app)}/vuln-allowlist/${encodeURIComponent(advisory)}`, body),
  disallow: (c: ApiClient, app: string, advisory: string) => c.request<{ advisory: string }>('DELETE', `${appPath(app)}/vuln-allowlist/${encodeURIComponent(advisory)}`),
  importDb: async (c: ApiClient, body: Uint8Array, contentType: string): Promise<VulnDbImport> =>
    (await (await c.raw('POST', '/admin/vulndb/imports', body, contentType)).json()) as VulnDbImport,
  dbStatus: (c: ApiClient) => c.request<VulnDbStatus>('GET', '/admin/vulndb'),
};
