import type { VolumeMount } from '../runtime/runtime-backend.js';
import type { Queryable } from './queryable.js';

export interface VolumeRow {
  id: string;
  app_id: string;
  name: string;
  mount: string;
  types: string[];
  driver: string;
  options: Record<string, string>;
  host: string | null;
  created_at: Date;
}

const columns = 'id, app_id, name, mount, types, driver, options, host, created_at';

export async function volumesOf(db: Queryable, appId: string): Promise<VolumeRow[]> {
  const { rows } = await db.query<VolumeRow>(`SELECT ${columns} FROM volumes WHERE app_id = $1 ORDER BY name`, [appId]);
  return rows;
}

export async function insertVolume(db: Queryable, v: Omit<VolumeRow, 'id' | 'created_at'>): Promise<VolumeRow> {
  const { rows } = await db.query<VolumeRow>(
    `INSERT INTO volumes (app_id, name, mount, types, driver, options, host) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${columns}`,
    [v.app_id, v.name, v.mount, v.types, v.driver, JSON.stringify(v.options), v.host],
  );
  return rows[0]!;
}

export async function deleteVolume(db: Queryable, id: string): Promise<void> {
  await db.query('DELETE FROM volumes WHERE id = $1', [id]);
}

/** The engine's name of a volume: unique per volume, never reused by a later app of the same name. */
export const dockerVolumeName = (volumeId: string): string => `paas-vol-${volumeId}`;

/** Whether a volume's data stays on one host: the local driver without a network filesystem (`type` option). */
export const isHostLocal = (v: Pick<VolumeRow, 'driver' | 'options'>): boolean => v.driver === 'local' && v.options['type'] === undefined;

/** The mounts (and the pinned host) of a process of `type`. */
export function mountsFor(volumes: readonly VolumeRow[], type: string): { mounts: VolumeMount[]; host?: string } {
  const mine = volumes.filter((v) => v.types.length === 0 || v.types.includes(type));
  const pinned = mine.find((v) => isHostLocal(v) && v.host !== null);
  return {
    mounts: mine.map((v) => ({ name: v.name, volume: dockerVolumeName(v.id), path: v.mount, driver: v.driver, options: v.options })),
    ...(pinned ? { host: pinned.host! } : {}),
  };
}
