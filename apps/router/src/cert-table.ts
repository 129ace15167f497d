import { createSecureContext, type SecureContext } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import type { CertEntry } from '@paas/shared';

interface Loaded {
  entry: CertEntry;
  context: SecureContext;
  expires: number;
}

/** A certificate and key in PEM, as read from files. */
export interface PemPair {
  cert: string;
  key: string;
}

/**
 * The router's TLS certificates: the apps' (from the route store) by the names they cover, and the
 * platform's wildcard certificate for `*.<PAAS_DOMAIN>`. A server name picks an exact name first,
 * then a wildcard (one label, as TLS wildcards go), then the platform certificate; among several
 * certificates for a name, the one that expires last. Secure contexts are built once, when a
 * certificate arrives, never during a handshake.
 */
export class CertTable {
  private readonly byId = new Map<string, Loaded>();
  private readonly exact = new Map<string, Loaded[]>();
  /** `example.com` for `*.example.com`. */
  private readonly wildcard = new Map<string, Loaded[]>();
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

  /** Sets the platform certificate (served for names no app certificate covers, and without SNI). */
  setPlatform(pair: PemPair): void {
    const context = createSecureContext({ cert: pair.cert, key: pair.key });
    this.platform = { context, names: namesOf(new X509Certificate(pair.cert)) };
  }

  /** Adds or replaces a certificate; throws (leaving the table as it was) when it cannot be loaded. */
  set(entry: CertEntry): void {
    const key = this.openKey(entry.sealedKey);
    const context = createSecureContext({ cert: entry.cert, key });
    const loaded: Loaded = { entry, context, expires: Date.parse(entry.expiresAt) || 0 };
    this.delete(entry.id);
    this.byId.set(entry.id, loaded);
    for (const name of new Set(entry.names.map((n) => n.toLowerCase()))) {
      const [index, k] = name.startsWith('*.') ? [this.wildcard, name.slice(2)] : [this.exact, name];
      const list = index.get(k) ?? [];
      list.push(loaded);
      list.sort((a, b) => b.expires - a.expires);
      index.set(k, list);
    }
  }

  delete(id: string): boolean {
    const old = this.byId.get(id);
    if (!old) return false;
    this.byId.delete(id);
    for (const index of [this.exact, this.wildcard]) {
      for (const [k, list] of index) {
        const rest = list.filter((l) => l !== old);
        if (rest.length === 0) index.delete(k);
        else if (rest.length !== list.length) index.set(k, rest);
      }
    }
    return true;
  }

  /** The context for a TLS server name: an app's certificate, else the platform's, else none. */
  contextFor(servername: string): SecureContext | undefined {
    const name = servername.toLowerCase();
    const exact = this.exact.get(name)?.[0];
    if (exact) return exact.context;
    const dot = name.indexOf('.');
    if (dot > 0) {
      const wild = this.wildcard.get(name.slice(dot + 1))?.[0];
      if (wild) return wild.context;
    }
    return this.platform?.context;
  }

  /** Whether a request for `host` over HTTPS would get a certificate that names it. */
  covers(host: string): boolean {
    if (this.exact.has(host)) return true;
    const dot = host.indexOf('.');
    if (dot > 0 && this.wildcard.has(host.slice(dot + 1))) return true;
    return this.platform !== undefined && this.platform.names.some((n) => matches(n, host));
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
