import type { AutoCertStatus } from '@paas/shared/api-contract';
import type { ApiClient } from './api-client.js';

/** The API's calls for automatic certificates (issue 18), kept apart from api-client.ts. */
export type { AutoCertStatus } from '@paas/shared/api-contract';

const path = (app: string): string => `/apps/${encodeURIComponent(app)}/acm`;

export const certsAutoApi = {
  status: (c: ApiClient, app: string) => c.request<AutoCertStatus[]>('GET', path(app)),
  enable: (c: ApiClient, app: string) => c.request<AutoCertStatus[]>('POST', path(app)),
  refresh: (c: ApiClient, app: string) => c.request<AutoCertStatus[]>('POST', `${path(app)}/refresh`),
  disable: (c: ApiClient, app: string) => c.request<AutoCertStatus[]>('DELETE', path(app)),
};
