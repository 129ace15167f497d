import { hostnameMatches } from '@paas/shared';

/**
 * Whether a hostname (or `*.` wildcard) is the platform's: PAAS_DOMAIN itself, a name under it, or a
 * wildcard that covers a name under it (`*.localhost` for `localhost`, `*.example.com` for
 * `paas.example.com`). Apps get `<app>.<PAAS_DOMAIN>` by default; nobody claims these otherwise.
 */
export function isPlatformName(hostname: string, platformDomain: string): boolean {
  const bare = hostname.startsWith('*.') ? hostname.slice(2) : hostname;
  if (bare === platformDomain || bare.endsWith(`.${platformDomain}`)) return true;
  return hostname.startsWith('*.') && platformDomain.endsWith(`.${bare}`);
}

/** What an app holds: its default hostname and its custom domains. */
export interface AppNames {
  app: string;
  /** `<app>.<PAAS_DOMAIN>`. */
  defaultHostname: string;
  /** Its custom domains (names and `*.` wildcards). */
  domains: string[];
}

/**
 * Why a certificate may not name `name` for this app, or undefined when it may. A certificate names
 * only what its app holds: its default hostname, one of its custom domains, or a concrete name under
 * one of its wildcard domains that no other app holds (`heldElsewhere`: other apps' exact domains).
 * Other names under the platform domain (its wildcard above all) are the operator's.
 */
export function foreignCertName(name: string, own: AppNames, platformDomain: string, heldElsewhere: ReadonlySet<string>): string | undefined {
  if (name === own.defaultHostname || own.domains.includes(name)) return undefined;
  if (isPlatformName(name, platformDomain)) {
    return `the certificate covers ${name}, under the platform domain ${platformDomain}: its certificates are the operator's (${own.app} may name only ${own.defaultHostname} there)`;
  }
  if (heldElsewhere.has(name)) return `the certificate covers ${name}, which is another app's domain`;
  const underOwnWildcard = !name.startsWith('*.') && own.domains.some((d) => d.startsWith('*.') && hostnameMatches(d, name));
  if (underOwnWildcard) return undefined;
  return `the certificate covers ${name}, which is not a domain of ${own.app} (add it first with paas domains:add ${name} -a ${own.app})`;
}
