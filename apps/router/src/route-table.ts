import type { AppRoute } from '@paas/shared';

/** A domain claimed by more than one app. The table serves it to the first claimant in name order. */
export interface DomainConflict {
  domain: string;
  apps: string[];
}

/**
 * The router's in-memory route table: host → app route. Exact domains first, then wildcards
 * (`*.example.com` serves any host one or more labels under example.com, the longest matching
 * wildcard wins). Hosts compare lowercase, without port or trailing dot. A domain claimed by two apps
 * goes to the first app in name order, so the answer does not depend on the order routes arrived in.
 */
export class RouteTable {
  private readonly routes = new Map<string, AppRoute>();
  /** Exact domain → claimant apps, sorted. */
  private readonly exact = new Map<string, string[]>();
  /** Wildcard suffix (`example.com` for `*.example.com`) → claimant apps, sorted. */
  private readonly wildcard = new Map<string, string[]>();

  get size(): number {
    return this.routes.size;
  }

  apps(): string[] {
    return [...this.routes.keys()];
  }

  get(app: string): AppRoute | undefined {
    return this.routes.get(app);
  }

  /** Adds or replaces an app's route; returns the domains it shares with other apps. */
  set(route: AppRoute): DomainConflict[] {
    this.delete(route.app);
    this.routes.set(route.app, route);
    const conflicts: DomainConflict[] = [];
    for (const domain of new Set(route.domains.map(normalizeDomain))) {
      const parsed = parseDomain(domain);
      if (!parsed) continue;
      const index = parsed.wildcard ? this.wildcard : this.exact;
      const claimants = addClaimant(index, parsed.name, route.app);
      if (claimants.length > 1) conflicts.push({ domain, apps: [...claimants] });
    }
    return conflicts;
  }

  /** Removes an app's route; returns whether it had one. */
  delete(app: string): boolean {
    const old = this.routes.get(app);
    if (!old) return false;
    this.routes.delete(app);
    for (const domain of old.domains.map(normalizeDomain)) {
      const parsed = parseDomain(domain);
      if (parsed) removeClaimant(parsed.wildcard ? this.wildcard : this.exact, parsed.name, app);
    }
    return true;
  }

  /** The route serving a host name (already lowercase, without port: see hostOf). */
  lookup(host: string): AppRoute | undefined {
    const exact = this.exact.get(host)?.[0];
    if (exact !== undefined) return this.routes.get(exact);
    if (this.wildcard.size === 0) return undefined;
    for (let dot = host.indexOf('.'); dot !== -1; dot = host.indexOf('.', dot + 1)) {
      const app = this.wildcard.get(host.slice(dot + 1))?.[0];
      if (app !== undefined) return this.routes.get(app);
    }
    return undefined;
  }
}

function normalizeDomain(domain: string): string {
  const d = domain.trim().toLowerCase();
  return d.endsWith('.') ? d.slice(0, -1) : d;
}

/** `*.example.com` → wildcard `example.com`; `a.example.com` → exact; anything else malformed → undefined. */
function parseDomain(domain: string): { name: string; wildcard: boolean } | undefined {
  const wildcard = domain.startsWith('*.');
  const name = wildcard ? domain.slice(2) : domain;
  if (name === '' || name.includes('*') || name.includes(':') || name.includes('/')) return undefined;
  if (name.startsWith('.') || name.includes('..')) return undefined;
  return { name, wildcard };
}

function addClaimant(index: Map<string, string[]>, name: string, app: string): string[] {
  const claimants = index.get(name) ?? [];
  if (!claimants.includes(app)) {
    claimants.push(app);
    claimants.sort();
  }
  index.set(name, claimants);
  return claimants;
}

function removeClaimant(index: Map<string, string[]>, name: string, app: string): void {
  const claimants = index.get(name);
  if (!claimants) return;
  const rest = claimants.filter((a) => a !== app);
  if (rest.length === 0) index.delete(name);
  else index.set(name, rest);
}
