import { Pool } from 'undici';
import type { Backend } from '@paas/shared';
import type { BackendState } from './backend-states.js';

export interface BackendPoolsOptions {
  /** How long opening a connection may take (ms). */
  connectTimeoutMs: number;
  /** First-byte timeout (ms): how long a backend may take to start its response once the request is sent. */
  timeoutMs: number;
}

/**
 * One undici Pool (keep-alive connections, no pipelining) per backend address, kept on the backend's
 * state. A backend that leaves every route has its pool closed gracefully: requests in flight on it
 * finish, then its connections close (draining); a request still holding the old route object gets a
 * fresh pool.
 */
export class BackendPools {
  constructor(private readonly options: BackendPoolsOptions) {}

  pool(b: Backend, state: BackendState): Pool {
    const pool = state.pool;
    if (pool !== undefined && !pool.closed && !pool.destroyed) return pool;
    const host = b.host.includes(':') ? `[${b.host}]` : b.host;
    state.pool = new Pool(`http://${host}:${b.port}`, {
      connections: null,
      pipelining: 1,
      connectTimeout: this.options.connectTimeoutMs,
      headersTimeout: this.options.timeoutMs,
      // Streaming answers (server-sent events, long downloads) may pause as long as they like.
      bodyTimeout: 0,
      keepAliveTimeout: 4000,
    });
    return state.pool;
  }

  /** Closes the pools of backends gone from every route (gracefully: what runs on them finishes). */
  drain(states: BackendState[]): void {
    for (const s of states) {
      const pool = s.pool;
      s.pool = undefined;
      if (pool && !pool.closed && !pool.destroyed) void pool.close().catch(() => undefined);
    }
  }

  /** Closes every pool: in-flight requests are cut. */
  async destroy(states: Iterable<BackendState>): Promise<void> {
    await Promise.all([...states].map((s) => s.pool?.destroy().catch(() => undefined)));
  }
}
