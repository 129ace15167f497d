import type { Backend } from '@paas/shared';
import type { BackendClient, BackendClientFactory } from './backend-client.js';
import type { BackendState } from './backend-states.js';

export interface BackendPoolsOptions {
  /** How long opening a connection may take (ms). */
  connectTimeoutMs: number;
  /** First-byte timeout (ms): how long a backend may take to start its response once the request is sent. */
  timeoutMs: number;
  /** Makes the client for one backend address (the codec's: see http-codec.ts). */
  client: BackendClientFactory;
}

/** Idle keep-alive connections are not reused after this long: below node's default keepAliveTimeout (5 s). */
const idleMs = 4000;

/**
 * One BackendClient (keep-alive connections, no pipelining) per backend address, kept on the
 * backend's state. A backend that leaves every route has its client closed gracefully: requests in
 * flight on it finish, then its connections close (draining); a request still holding the old route
 * object gets a fresh client.
 */
export class BackendPools {
  constructor(private readonly options: BackendPoolsOptions) {}

  pool(b: Backend, state: BackendState): BackendClient {
    const pool = state.pool;
    if (pool !== undefined && !pool.closed) return pool;
    state.pool = this.options.client(b.host, b.port, {
      connectTimeoutMs: this.options.connectTimeoutMs,
      headersTimeoutMs: this.options.timeoutMs,
      idleMs,
    });
    return state.pool;
  }

  /** Closes the clients of backends gone from every route (gracefully: what runs on them finishes). */
  drain(states: BackendState[]): void {
    for (const s of states) {
      s.pool?.close();
      s.pool = undefined;
    }
  }

  /** Closes every connection: in-flight requests are cut. */
  async destroy(states: Iterable<BackendState>): Promise<void> {
    for (const s of states) s.pool?.destroy();
  }
}
