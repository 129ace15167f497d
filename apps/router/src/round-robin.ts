import type { AppRoute, Backend } from '@paas/shared';

/**
 * Round-robin over an app's backends. The position is kept per route object, so a new version of the
 * route starts afresh and a removed route's position is garbage-collected with it.
 */
export class RoundRobin {
  private readonly next = new WeakMap<AppRoute, number>();

  /** The next backend of the route, or undefined when it has none. */
  pick(route: AppRoute): Backend | undefined {
    const n = route.backends.length;
    if (n === 0) return undefined;
    const i = (this.next.get(route) ?? 0) % n;
    this.next.set(route, i + 1);
    return route.backends[i];
  }

  /** Another backend than `tried`, for a retry (the next in turn); `tried` itself when it is the only one. */
  other(route: AppRoute, tried: Backend): Backend {
    for (let k = 0; k < route.backends.length; k++) {
      const b = this.pick(route);
      if (b && b !== tried) return b;
    }
    return tried;
  }
}
