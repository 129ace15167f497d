import type pg from 'pg';
import { AppError, toError, type CertEntry, type Logger, type RouteStore, type SecretBox } from '@paas/shared';
import type { AppRow } from '../db/apps.js';
import { deleteCertById, findCerts, insertCert, listAllCerts, listCerts, type CertRow } from '../db/certs.js';
import { hostnamesHeldElsewhere, listDomains } from '../db/domains.js';
import { isUniqueViolation } from '../db/queryable.js';
import { foreignCertName } from './domain-ownership.js';
import { checkCertPair } from './cert-pem.js';

/** A certificate as the API shows it: never the key. */
export interface CertJson {
  id: string;
  names: string[];
  subject: string;
  issuer: string;
  fingerprint: string;
  not_before: Date;
  expires_at: Date;
  created_at: Date;
}

export interface CertServiceOptions {
  pool: pg.Pool;
  /** Where the routers read certificates from. */
  store: RouteStore;
  /** Seals private keys (PAAS_SECRET): PostgreSQL and Redis only ever hold them sealed. */
  box: SecretBox;
  /** PAAS_DOMAIN: an app's certificate may name `<app>.<PAAS_DOMAIN>`, nothing else under it. */
  platformDomain: string;
  log: Logger;
}

/**
 * TLS certificates for an app's domains: checked (see cert-pem.ts), stored in PostgreSQL with the key
 * sealed, and published to the routers through the route store, which they serve with SNI. Redis
 * keeps nothing on disk, so `syncAll` republishes every certificate (and drops the ones gone, such
 * as those of destroyed apps); it runs on a timer.
 */
export class CertService {
  constructor(private readonly o: CertServiceOptions) {}

  async list(app: AppRow): Promise<CertJson[]> {
    return (await listCerts(this.o.pool, app.id)).map(certJson);
  }

  /** The app's certificates with their chains (PEM; public), for Heroku's SNI endpoints. */
  async listWithChains(app: AppRow): Promise<(CertJson & { certificate_chain: string })[]> {
    return (await listCerts(this.o.pool, app.id)).map((r) => ({ ...certJson(r), certificate_chain: r.cert_chain }));
  }

  async add(app: AppRow, certificateChain: string, privateKey: string): Promise<CertJson> {
    const checked = checkCertPair(certificateChain, privateKey);
    await this.assertOwned(app, checked.names);
    let row: CertRow;
    try {
      row = await insertCert(this.o.pool, {
        appId: app.id,
        names: checked.names,
        certChain: checked.chain,
        keySealed: this.o.box.seal(checked.keyPem),
        fingerprint: checked.fingerprint,
        subject: checked.subject,
        issuer: checked.issuer,
        notBefore: checked.notBefore,
        expiresAt: checked.expiresAt,
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new AppError('name_taken', `${app.name} already has this certificate (${checked.fingerprint})`);
      throw err;
    }
    await this.o.store.setCert(entryOf(row));
    this.o.log.info({ app: app.name, cert: row.id, names: row.names, expires_at: row.expires_at }, 'certificate added');
    return certJson(row);
  }

  /**
   * Refuses (422 naming the first offending name) a certificate covering any name the app does not
   * hold: see foreignCertName. The routers serve an app's certificates only for its own hosts anyway;
   * this keeps what is stored honest and tells the user at once.
   */
  private async assertOwned(app: AppRow, names: string[]): Promise<void> {
    const own = { app: app.name, defaultHostname: `${app.name}.${this.o.platformDomain}`, domains: (await listDomains(this.o.pool, app.id)).map((d) => d.hostname) };
    const elsewhere = await hostnamesHeldElsewhere(this.o.pool, app.id, names);
    for (const name of names) {
      const why = foreignCertName(name, own, this.o.platformDomain, elsewhere);
      if (why) throw new AppError('invalid_params', `certificate_chain: ${why}`, { details: { field: 'certificate_chain', name } });
    }
  }

  async remove(app: AppRow, idOrName: string): Promise<CertJson> {
    const rows = await findCerts(this.o.pool, app.id, idOrName);
    if (rows.length === 0) throw new AppError('not_found', `${app.name} has no certificate ${idOrName}`);
    if (rows.length > 1) throw new AppError('invalid_params', `${rows.length} certificates of ${app.name} cover ${idOrName}: name one by its id`);
    const row = rows[0]!;
    await deleteCertById(this.o.pool, row.id);
    await this.o.store.removeCert(row.id);
    this.o.log.info({ app: app.name, cert: row.id, names: row.names }, 'certificate removed');
    return certJson(row);
  }

  /**
   * Takes an app's certificates out of the route store (the routers drop them at once), for an app
   * being destroyed: its rows go with it. Should the destruction fail, the periodic `syncAll` puts
   * them back. Returns how many were removed.
   */
  async unpublishApp(app: AppRow): Promise<number> {
    const rows = await listCerts(this.o.pool, app.id);
    for (const row of rows) await this.o.store.removeCert(row.id);
    if (rows.length > 0) this.o.log.info({ app: app.name, certs: rows.map((r) => r.id) }, 'certificates of a destroyed app removed from the routers');
    return rows.length;
  }

  /** Republishes an app's certificates (renamed: the routers serve them for its new name). */
  async republishApp(app: AppRow): Promise<number> {
    const rows = await listCerts(this.o.pool, app.id);
    for (const row of rows) await this.o.store.setCert(entryOf(row));
    return rows.length;
  }

  /** Makes the store's certificates those of PostgreSQL; returns how many entries it set and removed. */
  async syncAll(): Promise<{ set: number; removed: number }> {
    const want = new Map((await listAllCerts(this.o.pool)).map((r) => [r.id, entryOf(r)]));
    const have = new Map((await this.o.store.listCerts()).map((c) => [c.id, c]));
    let set = 0;
    let removed = 0;
    for (const [id, entry] of want) {
      if (JSON.stringify(have.get(id)) === JSON.stringify(entry)) continue;
      await this.o.store.setCert(entry);
      set++;
    }
    for (const id of have.keys()) {
      if (want.has(id)) continue;
      await this.o.store.removeCert(id);
      removed++;
    }
    return { set, removed };
  }
}

/** Runs `CertService.syncAll` every `intervalMs` (and once at start). */
export class CertResync {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly certs: CertService,
    private readonly intervalMs: number,
    private readonly log: Logger,
  ) {}

  start(): void {
    const tick = (): void => {
      this.running = this.certs
        .syncAll()
        .then(({ set, removed }) => {
          if (set + removed > 0) this.log.info({ set, removed }, 'certificates republished');
        })
        .catch((err: unknown) => this.log.warn({ err: toError(err) }, 'certificate sync failed'))
        .finally(() => {
          this.running = undefined;
          if (this.timer !== undefined) this.timer = setTimeout(tick, this.intervalMs);
        });
    };
    this.timer = setTimeout(tick, 0);
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }
}

function entryOf(r: CertRow): CertEntry {
  return { id: r.id, app: r.app, names: r.names, cert: r.cert_chain, sealedKey: r.key_sealed, expiresAt: new Date(r.expires_at).toISOString() };
}

function certJson(r: CertRow): CertJson {
  return {
    id: r.id,
    names: r.names,
    subject: r.subject,
    issuer: r.issuer,
    fingerprint: r.fingerprint,
    not_before: r.not_before,
    expires_at: r.expires_at,
    created_at: r.created_at,
  };
}
