import pg from 'pg';
import { Redis } from 'ioredis';
import { AppError, type SecretBox } from '@paas/shared';
import { addonServerUrlContext, deleteAddonServer, insertAddonServer, listAddonServers } from '../db/addons.js';
import { isUniqueViolation, type Queryable } from '../db/queryable.js';
import { addonKinds, type AddonKind } from './addon-plans.js';

export interface AddonServerView {
  id: string;
  service: AddonKind;
  endpoint: string;
  addons: number;
  created_at: Date;
}

const schemes: Record<AddonKind, string[]> = { postgres: ['postgres:', 'postgresql:'], redis: ['redis:', 'rediss:'] };

/** Checks an admin URL: its scheme, and that the server answers with the rights add-ons need. */
export async function checkServerUrl(kind: AddonKind, raw: string): Promise<URL> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new AppError('invalid_params', 'the server URL does not parse: expected e.g. postgres://admin:PASSWORD@db.internal:5432/postgres');
  }
  if (!schemes[kind].includes(url.protocol) || url.hostname === '') {
    throw new AppError('invalid_params', `a ${kind} server URL starts with ${schemes[kind].map((s) => `${s}//`).join(' or ')} and names a host`);
  }
  if (kind === 'postgres') {
    const c = new pg.Client({ connectionString: raw, connectionTimeoutMillis: 10_000 });
    c.on('error', () => undefined);
    try {
      await c.connect();
      const { rows } = await c.query<{ ok: boolean }>(
        'SELECT rolsuper OR (rolcreaterole AND rolcreatedb) AS ok FROM pg_roles WHERE rolname = current_user',
      );
      if (!rows[0]?.ok) throw new AppError('invalid_params', 'the server URL\'s role needs SUPERUSER, or CREATEROLE and CREATEDB, to make add-ons');
    } catch (err) {
      if (err instanceof AppError) throw err;
      throw new AppError('invalid_params', `the postgres server does not answer: ${(err as Error).message}`);
    } finally {
      await c.end().catch(() => undefined);
    }
  } else {
    const r = new Redis(raw, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 10_000, enableOfflineQueue: false });
    r.on('error', () => undefined);
    try {
      await r.connect();
      await r.call('ACL', 'WHOAMI');
      await r.call('ACL', 'USERS');
    } catch (err) {
      throw new AppError('invalid_params', `the redis server does not answer ACL commands (Redis 6 or later, an admin user): ${(err as Error).message}`);
    } finally {
      r.disconnect();
    }
  }
  return url;
}

/** Servers an operator registered for add-ons (paas admin:addon-servers). */
export class AddonServers {
  constructor(private readonly o: { db: Queryable; cipher: SecretBox }) {}

  async list(): Promise<AddonServerView[]> {
    const { rows } = await this.o.db.query<{ id: string; n: number }>('SELECT server_id AS id, count(*)::int AS n FROM addons WHERE server_id IS NOT NULL GROUP BY server_id');
    const counts = new Map(rows.map((r) => [r.id, r.n]));
    return (await listAddonServers(this.o.db)).map((s) => ({ id: s.id, service: s.kind, endpoint: s.endpoint, addons: counts.get(s.id) ?? 0, created_at: s.created_at }));
  }

  async add(kind: string, rawUrl: string): Promise<AddonServerView> {
    if (!addonKinds.includes(kind as AddonKind)) throw new AppError('invalid_params', `unknown add-on service ${JSON.stringify(kind)}: expected postgres or redis`);
    const url = await checkServerUrl(kind as AddonKind, rawUrl);
    const endpoint = `${url.hostname}:${url.port || (kind === 'postgres' ? '5432' : '6379')}`;
    try {
      const id = await insertAddonServer(this.o.db, kind as AddonKind, endpoint, (sid) => this.o.cipher.encrypt(rawUrl, addonServerUrlContext(sid)));
      return (await this.list()).find((s) => s.id === id)!;
    } catch (err) {
      if (isUniqueViolation(err)) throw new AppError('name_taken', `a ${kind} server at ${endpoint} is registered already`);
      throw err;
    }
  }

  async remove(id: string): Promise<AddonServerView> {
    const found = (await this.list()).find((s) => s.id === id || s.endpoint === id);
    if (!found) throw new AppError('not_found', `there is no add-on server ${id}`);
    if (found.addons > 0) throw new AppError('invalid_params', `${found.endpoint} still holds ${found.addons} add-ons: destroy them first`);
    await deleteAddonServer(this.o.db, found.id);
    return found;
  }
}
