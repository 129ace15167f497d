// Clients for the add-on tests: one connection through an add-on's URL, closed after `fn`.
import pg from 'pg';
import { Redis } from 'ioredis';

export async function withPg<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  c.on('error', () => undefined);
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end().catch(() => undefined);
  }
}

/**
 * No ready check (add-on users may not run INFO) and no reconnection. RESP2, so a client without a
 * password connects and its first command is what the server refuses (NOAUTH), as with most apps'
 * clients; with RESP3 the HELLO handshake itself is refused and the connection closed.
 */
export async function withRedis<T>(url: string, fn: (r: Redis) => Promise<T>): Promise<T> {
  const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, enableReadyCheck: false, retryStrategy: () => null, protocol: 2 });
  r.on('error', () => undefined);
  await r.connect();
  try {
    return await fn(r);
  } finally {
    r.disconnect();
  }
}
