import type { Queryable } from './queryable.js';

export interface HostTls {
  ca?: string;
  cert?: string;
  key?: string;
  /** The client key sealed (SecretBox 'host credentials'): hosts paas provisioned. */
  key_sealed?: string;
}

/** How a provisioned host is reached over SSH (hosts:provision); null for hosts added by URL. */
export interface HostProvision {
  user: string;
  ssh_address: string;
  ssh_port: number;
  /** The SSH private key, sealed. */
  ssh_key_sealed: string;
  /** When the engine's certificates were issued and expire. */
  certs_issued_at: string;
  certs_expire_at: string;
}

export interface HostRow {
  id: string;
  name: string;
  docker_url: string;
  address: string;
  capacity_memory_mb: number | null;
  labels: Record<string, string>;
  tls: HostTls | null;
  status: 'up' | 'down';
  draining: boolean;
  last_seen_at: Date | null;
  last_error: string | null;
  created_at: Date;
  provision: HostProvision | null;
}

const columns =
  'id, name, docker_url, address, capacity_memory_mb, labels, tls, status, draining, last_seen_at, last_error, created_at, provision';

export interface NewHost {
  name: string;
  dockerUrl: string;
  address: string;
  capacityMemoryMb: number | null;
  labels: Record<string, string>;
  tls: HostTls | null;
}

export async function insertHost(db: Queryable, h: NewHost): Promise<HostRow> {
  const { rows } = await db.query<HostRow>(
    `INSERT INTO hosts (name, docker_url, address, capacity_memory_mb, labels, tls, last_seen_at)
     VALUES ($1, $2, $3, $4, $5, $6, now()) RETURNING ${columns}`,
    [h.name, h.dockerUrl, h.address, h.capacityMemoryMb, JSON.stringify(h.labels), h.tls ? JSON.stringify(h.tls) : null],
  );
  return rows[0]!;
}

export async function listHosts(db: Queryable): Promise<HostRow[]> {
  const { rows } = await db.query<HostRow>(`SELECT ${columns} FROM hosts ORDER BY name`);
  return rows;
}

export async function findHost(db: Queryable, name: string): Promise<HostRow | undefined> {
  const { rows } = await db.query<HostRow>(`SELECT ${columns} FROM hosts WHERE name = $1`, [name]);
  return rows[0];
}

export async function setHostHealth(db: Queryable, name: string, up: boolean, error: string | null): Promise<void> {
  await db.query(
    `UPDATE hosts SET status = $2, last_error = $3, last_seen_at = CASE WHEN $2 = 'up' THEN now() ELSE last_seen_at END
     WHERE name = $1`,
    [name, up ? 'up' : 'down', error],
  );
}

export async function setHostDraining(db: Queryable, name: string, draining: boolean): Promise<void> {
  await db.query('UPDATE hosts SET draining = $2 WHERE name = $1', [name, draining]);
}

export async function deleteHost(db: Queryable, name: string): Promise<void> {
  await db.query('DELETE FROM hosts WHERE name = $1', [name]);
}

/**
 * Registers a provisioned host, or updates the one provisioned before under that name (a repair or
 * a certificate rotation): its engine URL, TLS credentials and SSH access change, the rest stays.
 */
export async function upsertProvisionedHost(db: Queryable, h: NewHost & { provision: HostProvision }): Promise<HostRow> {
  const { rows } = await db.query<HostRow>(
    `INSERT INTO hosts (name, docker_url, address, capacity_memory_mb, labels, tls, provision, last_seen_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, now())
     ON CONFLICT (name) DO UPDATE SET docker_url = EXCLUDED.docker_url, address = EXCLUDED.address, tls = EXCLUDED.tls,
       provision = EXCLUDED.provision, status = 'up', last_error = NULL, last_seen_at = now()
     WHERE hosts.provision IS NOT NULL
     RETURNING ${columns}`,
    [h.name, h.dockerUrl, h.address, h.capacityMemoryMb, JSON.stringify(h.labels), JSON.stringify(h.tls), JSON.stringify(h.provision)],
  );
  return rows[0]!;
}
