import type { Volume } from '@paas/shared/api-contract';
import type { ApiClient } from './api-client.js';

/** The API's calls for volumes (issue 18), kept apart from api-client.ts. */
export type { Volume } from '@paas/shared/api-contract';

export interface VolumeCreate {
  name: string;
  mount: string;
  types?: string[];
  driver?: string;
  options?: Record<string, string>;
}

const path = (app: string): string => `/apps/${encodeURIComponent(app)}/volumes`;

export const volumesApi = {
  list: (c: ApiClient, app: string) => c.request<Volume[]>('GET', path(app)),
  create: (c: ApiClient, app: string, body: VolumeCreate) => c.request<Volume>('POST', path(app), body),
  destroy: (c: ApiClient, app: string, name: string) => c.request<Volume>('DELETE', `${path(app)}/${encodeURIComponent(name)}`),
};
