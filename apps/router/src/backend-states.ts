import type { BackendClient } from './backend-client.js';
import type { Backend } from '@paas/shared';

/** What the router knows about one backend address, across routes and route versions. */
export interface BackendState {
  /** Requests (and tunnels) in flight to it. */
  active: number;
  /** Connection failures in a row. */
  failures: number;
  /** performance.now() until which it is left out; 0 when it is not ejected. */
  ejectedUntil: number;
  /** Its keep-alive connections, once a request went to it (see BackendPools). */
  pool?: BackendClient;
}

export interface BackendStatesOptions {
  /** Consecutive connection failures that eject a backend. */
  ejectAfter: number;
  /** How long an ejected backend is left out (ms). */
  ejectMs: number;
  now?: () => number;
}

/**
 * Per-backend state for balancing and passive health checking: in-flight counts (least-connections,
 * draining) and failures in a row. A backend that failed to accept `ejectAfter` connections in a row
 * is ejected for `ejectMs`: balancers pass it over while any other backend is available. Any success
 * clears the count. Keyed by `host:port`, so a new route version keeps what was learnt.
 */
export class BackendStates {
  private readonly states = new Map<string, BackendState>();
  /** The same states by Backend object: a route's backends keep their identity, so this is the fast path. */
  private readonly byObject = new WeakMap<Backend, BackendState>();
  private readonly now: () => number;

  constructor(private readonly options: BackendStatesOptions) {
    this.now = options.now ?? (() => performance.now());
  }

  get(b: Backend): BackendState {
    let s = this.byObject.get(b);
    if (s !== undefined) return s;
    const key = keyOf(b);
    s = this.states.get(key);
    if (s === undefined) {
      s = { active: 0, failures: 0, ejectedUntil: 0 };
      this.states.set(key, s);
    }
    this.byObject.set(b, s);
    return s;
  }

  /** Whether the backend may be picked now (not ejected, or its cool-down is over). */
  available(b: Backend): boolean {
    const s = this.byObject.get(b) ?? this.states.get(keyOf(b));
    return s === undefined || s.ejectedUntil === 0 || s.ejectedUntil <= this.now();
  }

  /** A connection to the backend failed; returns true when this failure ejected it. */
  failed(b: Backend): boolean {
    const s = this.get(b);
    s.failures++;
    if (s.failures < this.options.ejectAfter) return false;
    const wasIn = s.ejectedUntil <= this.now();
    s.ejectedUntil = this.now() + this.options.ejectMs;
    return wasIn;
  }

  /** A connection to the backend worked: it is healthy again. */
  succeeded(b: Backend): void {
    const s = this.byObject.get(b) ?? this.states.get(keyOf(b));
    if (s !== undefined && (s.failures !== 0 || s.ejectedUntil !== 0)) {
      s.failures = 0;
      s.ejectedUntil = 0;
    }
  }

  /** Backends currently ejected, for the metrics. */
  ejected(): number {
    const now = this.now();
    let n = 0;
    for (const s of this.states.values()) if (s.ejectedUntil > now) n++;
    return n;
  }

  /**
   * The backends that are in no route any more: their states are returned (to close their pools), and
   * forgotten once nothing is in flight to them.
   */
  prune(live: Set<string>): BackendState[] {
    const gone: BackendState[] = [];
    for (const [key, s] of this.states) {
      if (live.has(key)) continue;
      gone.push(s);
      if (s.active === 0) this.states.delete(key);
    }
    return gone;
  }
}

export function keyOf(b: Backend): string {
  return `${b.host}:${b.port}`;
}
