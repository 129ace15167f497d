import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Addon, AddonBackup as Backup, AddonInfo, AddonServerEntry } from '@paas/shared/api-contract';
import type { ApiClient } from './api-client.js';
import { CliError } from './cli-error.js';

/** The API's calls for add-ons (issue 18), kept apart from api-client.ts. */

export type { Addon, AddonInfo, AddonBackup as Backup, AddonServerEntry } from '@paas/shared/api-contract';

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
