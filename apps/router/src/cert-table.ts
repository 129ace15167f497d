import { createSecureContext, type SecureContext } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import type { CertEntry } from '@paas/shared';

interface Loaded {
  entry: CertEntry;
  context: SecureContext;
  expires: number;
  /** The entry's names, lowercase, without duplicates. */
  names: string[];
}

/** A certificate and key in PEM, as read from files. */
export interface PemPair {
  cert: string;
  key: string;
}

/**
 * The router's TLS certificates: each app's (from the route store), kept apart by app, and the
 * platform's wildcard certificate for `*.<PAAS_DOMAIN>` (the operator's). A server name is answered
 * only from the certificates of the app its host routes to: an exact name first, then a wildcard
 * (one label, as TLS wildcards go), the one that expires last among several; else the platform
 * certificate. So a certificate one app uploads is never served for another app's host, whatever
 * names it carries. Secure contexts are built once, when a certificate arrives, never during a
 * handshake.
 */
export class CertTable {
  private readonly byId = new Map<string, Loaded>();
  /** App name → its certificates, the later-expiring first. */
  private readonly byApp = new Map<string, Loaded[]>();
  private platform: { context: SecureContext; names: string[] } | undefined;

  /** `openKey` turns an entry's sealed key into PEM (it throws when it cannot). */
  constructor(private readonly openKey: (sealed: string) => string) {}

  get size(): number {
    return this.byId.size;
  }

  ids(): string[] {
    return [...this.byId.keys()];
  }

  get(id: string): CertEntry | undefined {
    return this.byId.get(id)?.entry;
  }

  /** Sets the platform certificate (served for names no certificate of their app covers, and without SNI). */
  setPlatform(pair: PemPair): void {
    const context = createSecureContext({ cert: pair.cert, key: pair.key });
    this.platform = { context, names: namesOf(new X509Certificate(pair.cert)) };
  }

  /** Adds or replaces a certificate; throws (leaving the table as it was) when it cannot be loaded. */
  set(entry: CertEntry): void {
    const key = this.openKey(entry.sealedKey);
    const context = createSecureContext({ cert: entry.cert, key });
    const names = [...new Set(entry.names.map((n) => n.toLowerCase()))];
    const loaded: Loaded = { entry, context, expires: Date.parse(entry.expiresAt) || 0, names };
    this.delete(entry.id);
    this.byId.set(entry.id, loaded);
    const list = this.byApp.get(entry.app) ?? [];
    list.push(loaded);
    list.sort((a, b) => b.expires - a.expires);
    this.byApp.set(entry.app, list);
  }

  delete(id: string): boolean {
    const old = this.byId.get(id);
    if (!old) return false;
    this.byId.delete(id);
    const rest = (this.byApp.get(old.entry.app) ?? []).filter((l) => l !== old);
    if (rest.length === 0) this.byApp.delete(old.entry.app);
    else this.byApp.set(old.entry.app, rest);
    return true;
  }

  /**
   * The context for a TLS server name whose host routes to `app` (undefined: no app): that app's
   * certificate naming it, else the platform's, else none.
   */
  contextFor(servername: string, app: string | undefined): SecureContext | undefined {
    return this.appCert(servername.toLowerCase(), app)?.context ?? this.platform?.context;
  }

  /** Whether a request for `host` (routed to `app`) over HTTPS would get a certificate that names it. */
  covers(host: string, app: string | undefined): boolean {
    if (this.appCert(host, app)) return true;
    return this.platform !== undefined && this.platform.names.some((n) => matches(n, host));
  }

  private appCert(name: string, app: string | undefined): Loaded | undefined {
    const list = app === undefined ? undefined : this.byApp.get(app);
    if (!list) return undefined;
    const exact = list.find((l) => l.names.includes(name));
    if (exact) return exact;
    return list.find((l) => l.names.some((n) => n.startsWith('*.') && matches(n, name)));
  }
}

/** The DNS names of a certificate: its subjectAltName DNS entries, else its CN. Lowercase. */
export function namesOf(x509: X509Certificate): string[] {
  const alt = x509.subjectAltName;
  if (alt) {
    const dns = alt
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.startsWith('DNS:'))
      .map((s) => s.slice(4).toLowerCase());
    if (dns.length > 0) return [...new Set(dns)];
  }
  const cn = /(?:^|\n)CN=([^\n]+)/.exec(x509.subject)?.[1];
  return cn ? [cn.trim().toLowerCase()] : [];
}

function matches(pattern: string, host: string): boolean {
  if (!pattern.startsWith('*.')) return pattern === host;
  const dot = host.indexOf('.');
  return dot > 0 && host.slice(dot + 1) === pattern.slice(2);
}
