import type { Queryable } from './queryable.js';
import type { HostKey } from '../provision/ssh-connection.js';

/** The host key pinned for an SSH server (address and port), if any. */
export async function findPin(db: Queryable, address: string, port: number): Promise<HostKey | undefined> {
  const { rows } = await db.query<{ key_type: string; fingerprint: string }>('SELECT key_type, fingerprint FROM ssh_host_keys WHERE address = $1 AND port = $2', [address, port]);
  return rows[0] ? { type: rows[0].key_type, fingerprint: rows[0].fingerprint } : undefined;
}

/** Pins a key on first use; a pin made meanwhile by another controller is kept (and checked next time). */
export async function savePin(db: Queryable, address: string, port: number, key: HostKey): Promise<void> {
  await db.query('INSERT INTO ssh_host_keys (address, port, key_type, fingerprint) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [address, port, key.type, key.fingerprint]);
}

/** Forgets a pin (the machine was reinstalled: its next key is pinned anew). */
export async function deletePin(db: Queryable, address: string, port: number): Promise<boolean> {
  return ((await db.query('DELETE FROM ssh_host_keys WHERE address = $1 AND port = $2', [address, port])).rowCount ?? 0) > 0;
}
