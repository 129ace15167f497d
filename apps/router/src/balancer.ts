import type { AppRoute, Backend } from '@paas/shared';
import type { BackendStates } from './backend-states.js';
import type { BalanceStrategy } from './config.js';

/** Picks the backend for a request among an app's web processes. */
export interface Balancer {
  /**
   * A backend of the route other than `exclude` (the one a retry moves away from), passing over
   * ejected ones while any other is available; undefined when the route has no other backend.
   */
  pick(route: AppRoute, exclude?: Backend): Backend | undefined;
}

/**
 * Round-robin: backends take turns. The position is kept per route object, so a new version of the
 * route starts afresh and a removed route's position is garbage-collected with it.
 */
export class RoundRobin implements Balancer {
  private readonly next = new WeakMap<AppRoute, number>();

  constructor(private readonly states?: BackendStates) {}

  pick(route: AppRoute, exclude?: Backend): Backend | undefined {
    const backends = route.backends;
    const n = backends.length;
    if (n === 0) return undefined;
    const start = this.next.get(route) ?? 0;
    let fallback: Backend | undefined;
    for (let k = 0; k < n; k++) {
      const i = (start + k) % n;
      const b = backends[i]!;
      if (b === exclude) continue;
      if (this.states === undefined || this.states.available(b)) {
        this.next.set(route, i + 1);
        return b;
      }
      fallback ??= b;
    }
    // Every other backend is ejected: try one anyway rather than fail without trying.
    if (fallback !== undefined) this.next.set(route, start + 1);
    return fallback;
  }
}

/**
 * Least-connections: the available backend with the fewest requests in flight (through this router
 * process); ties go round-robin, so an idle app still spreads its requests.
 */
export class LeastConnections implements Balancer {
  private readonly rr = new WeakMap<AppRoute, number>();

  constructor(private readonly states: BackendStates) {}

  pick(route: AppRoute, exclude?: Backend): Backend | undefined {
    const backends = route.backends;
    const n = backends.length;
    if (n === 0) return undefined;
    const start = this.rr.get(route) ?? 0;
    this.rr.set(route, start + 1);
    let best: Backend | undefined;
    let bestActive = Infinity;
    let fallback: Backend | undefined;
    for (let k = 0; k < n; k++) {
      const b = backends[(start + k) % n]!;
      if (b === exclude) continue;
      if (!this.states.available(b)) {
        fallback ??= b;
        continue;
      }
      const active = this.states.get(b).active;
      if (active < bestActive) {
        best = b;
        bestActive = active;
      }
    }
    return best ?? fallback;
  }
}

export function createBalancer(strategy: BalanceStrategy, states: BackendStates): Balancer {
  return strategy === 'least-connections' ? new LeastConnections(states) : new RoundRobin(states);
}
