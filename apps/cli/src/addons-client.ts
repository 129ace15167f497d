import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ApiClient } from './api-client.js';
import { CliError } from './cli-error.js';

/** The API's calls for add-ons (issue 18), kept apart from api-client.ts. */

export interface AddonAttachment {
  app: string;
  config_var: string;
}

export interface Addon {
  id: string;
  name: string;
  service: 'postgres' | 'redis';
  plan: string;
  app: string;
  attachments: AddonAttachment[];
  created_at: string;
  /** In listings: the config var it sets on the listed app. */
  config_var?: string;
}

export interface AddonInfo extends Addon {
  usage: { bytes: number; connections: number; connection_limit: number | null; extra?: Record<string, string | number> };
  plan_limits: { name: string; connections: number; sizeMb: number };
}

export interface Backup {
  id: string;
  bytes: number;
  created_at: string;
}

export interface AddonServerEntry {
  id: string;
  service: 'postgres' | 'redis';
  endpoint: string;
  addons: number;
  created_at: string;
}

const appPath = (app: string): string => `/apps/${encodeURIComponent(app)}`;
const addonPath = (app: string, addon: string): string => `${appPath(app)}/addons/${encodeURIComponent(addon)}`;

export const addonsApi = {
  list: (c: ApiClient, app: string) => c.request<Addon[]>('GET', `${appPath(app)}/addons`),
  create: (c: ApiClient, app: string, body: { service: string; plan?: string; as?: string }) => c.request<Addon>('POST', `${appPath(app)}/addons`, body),
  info: (c: ApiClient, app: string, addon: string) => c.request<AddonInfo>('GET', addonPath(app, addon)),
  destroy: (c: ApiClient, app: string, addon: string) => c.request<Addon>('DELETE', addonPath(app, addon)),
  attach: (c: ApiClient, app: string, addon: string, as?: string) =>
    c.request<Addon>('POST', `${appPath(app)}/addon-attachments`, as === undefined ? { addon } : { addon, as }),
  detach: (c: ApiClient, app: string, addon: string) => c.request<Addon>('DELETE', `${appPath(app)}/addon-attachments/${encodeURIComponent(addon)}`),
  rotate: (c: ApiClient, app: string, addon: string) => c.request<Addon>('POST', `${addonPath(app, addon)}/credentials/rotate`),
  backups: (c: ApiClient, app: string, addon: string) => c.request<Backup[]>('GET', `${addonPath(app, addon)}/backups`),
  capture: (c: ApiClient, app: string, addon: string) => c.request<Backup>('POST', `${addonPath(app, addon)}/backups`),
  restore: (c: ApiClient, app: string, addon: string, backup: string) =>
    c.request<{ restored: string }>('POST', `${addonPath(app, addon)}/backups/${encodeURIComponent(backup)}/restore`),
  servers: (c: ApiClient) => c.request<AddonServerEntry[]>('GET', '/admin/addon-servers'),
  addServer: (c: ApiClient, service: string, url: string) => c.request<AddonServerEntry>('POST', '/admin/addon-servers', { service, url }),
  removeServer: (c: ApiClient, id: string) => c.request<AddonServerEntry>('DELETE', `/admin/addon-servers/${encodeURIComponent(id)}`),
};

/** Writes a backup to `file` (the one call that answers bytes rather than JSON). */
export async function downloadBackup(
  session: { apiUrl: string; token: string },
  app: string,
  addon: string,
  backup: string,
  file: string,
  fetchFn: typeof fetch = globalThis.fetch,
): Promise<void> {
  const res = await fetchFn(`${session.apiUrl.replace(/\/+$/, '')}${addonPath(app, addon)}/backups/${encodeURIComponent(backup)}/download`, {
    headers: { authorization: `Bearer ${session.token}` },
  });
  if (!res.ok || !res.body) {
    const body = (await res.json().catch(() => ({}))) as { message?: string };
    throw new CliError(body.message ?? `the paas API answered ${res.status} to the download`);
  }
  await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), createWriteStream(file, { flags: 'wx', mode: 0o600 }));
}
