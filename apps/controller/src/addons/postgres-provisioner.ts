import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { AppError } from '@paas/shared';
import type { AddonPlan } from './addon-plans.js';
import { withPublicHost, type AddonProvisioner, type AddonServer, type AddonUsage } from './addon-provisioner.js';

/** Resource names are made by the platform; this guards every identifier written into SQL. */
export const resourcePattern = /^addon_[a-f0-9]{8,32}$/;

function checkResource(resource: string): string {
  if (!resourcePattern.test(resource)) throw new AppError('internal', `not an add-on resource name: ${resource}`);
  return pg.escapeIdentifier(resource);
}

export const newPassword = (): string => randomBytes(24).toString('base64url');

/**
 * PostgreSQL add-ons: a database and a login role of the same name per add-on, the role owning the
 * database, CONNECT and TEMPORARY revoked from PUBLIC (other roles, other add-ons included, cannot
 * connect), the connection limit of the plan on the role and the database.
 */
export class PostgresProvisioner implements AddonProvisioner {
  readonly kind = 'postgres' as const;

  async create(server: AddonServer, resource: string, plan: AddonPlan): Promise<string> {
    const id = checkResource(resource);
    const password = newPassword();
    await this.admin(server, async (c) => {
      await c.query(
        `CREATE ROLE ${id} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS CONNECTION LIMIT ${plan.connections} PASSWORD ${pg.escapeLiteral(password)}`,
      );
      try {
        await c.query(`CREATE DATABASE ${id} OWNER ${id} CONNECTION LIMIT ${plan.connections}`);
        await c.query(`REVOKE ALL ON DATABASE ${id} FROM PUBLIC`);
        await c.query(`GRANT CONNECT, TEMPORARY ON DATABASE ${id} TO ${id}`);
      } catch (err) {
        await this.drop(c, id);
        throw err;
      }
    });
    return this.url(server, resource, password);
  }

  async destroy(server: AddonServer, resource: string): Promise<void> {
    const id = checkResource(resource);
    await this.admin(server, (c) => this.drop(c, id));
  }

  async rotate(server: AddonServer, resource: string): Promise<string> {
    const id = checkResource(resource);
    const password = newPassword();
    await this.admin(server, async (c) => {
      await c.query(`ALTER ROLE ${id} PASSWORD ${pg.escapeLiteral(password)}`);
      await c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1', [resource]);
    });
    return this.url(server, resource, password);
  }

  async usage(server: AddonServer, resource: string): Promise<AddonUsage> {
    checkResource(resource);
    return this.admin(server, async (c) => {
      const { rows } = await c.query<{ bytes: string; connections: number; limit: number }>(
        `SELECT pg_database_size(d.datname) AS bytes, d.datconnlimit AS limit,
           (SELECT count(*)::int FROM pg_stat_activity a WHERE a.datname = d.datname) AS connections
         FROM pg_database d WHERE d.datname = $1`,
        [resource],
      );
      const row = rows[0];
      if (!row) throw new AppError('unavailable', `the add-on's database ${resource} is missing on its server`);
      return { bytes: Number(row.bytes), connections: row.connections, connectionLimit: row.limit };
    });
  }

  private async drop(c: pg.Client, id: string): Promise<void> {
    await c.query(`DROP DATABASE IF EXISTS ${id} WITH (FORCE)`);
    await c.query(`DROP ROLE IF EXISTS ${id}`);
  }

  private url(server: AddonServer, resource: string, password: string): string {
    const url = new URL(server.adminUrl);
    url.protocol = 'postgres:';
    url.username = resource;
    url.password = password;
    url.pathname = `/${resource}`;
    url.search = '';
    return withPublicHost(url, server);
  }

  private async admin<T>(server: AddonServer, fn: (c: pg.Client) => Promise<T>): Promise<T> {
    const c = new pg.Client({ connectionString: server.adminUrl, connectionTimeoutMillis: 10_000, statement_timeout: 60_000 });
    c.on('error', () => undefined);
    try {
      await c.connect();
    } catch (err) {
      throw new AppError('unavailable', `the add-on PostgreSQL server does not answer: ${(err as Error).message}`, { retryable: true, cause: err });
    }
    try {
      return await fn(c);
    } finally {
      await c.end().catch(() => undefined);
    }
  }
}
