import * as acme from 'acme-client';
import type pg from 'pg';
import { AppError, type AcmeChallengeStore, type Logger, type SecretBox } from '@paas/shared';
import { findAppByName, type AppRow } from '../db/apps.js';
import { listDomains } from '../db/domains.js';
import {
  acmeAccount,
  acmeAppIds,
  acmeDomainsOf,
  acmeEnabled,
  disableAcme,
  enableAcme,
  saveAcmeAccount,
  setAcmeAccountUrl,
  setAcmeDomain,
  type AcmeDomainRow,
} from '../db/acme.js';
import type { CertService } from '../domains/cert-service.js';

export interface AcmeOptions {
  pool: pg.Pool;
  cipher: SecretBox;
  certs: CertService;
  challenges: AcmeChallengeStore;
  /** PAAS_ACME_DIRECTORY_URL. */
  directoryUrl: string;
  /** PAAS_ACME_EMAIL: the account's contact. */
  email?: string;
  /** Renew this long before expiry (30 days). */
  renewBeforeMs: number;
  log: Logger;
}

/** One custom domain's automatic certificate, as `paas certs:auto` shows it. */
export interface AcmeDomainStatus {
  hostname: string;
  status: 'waiting' | 'pending' | 'issued' | 'failed' | 'unsupported';
  /** The CA's reason for a failure, or why a name is not supported. */
  message: string | null;
  expires_at: Date | null;
  /** When the next attempt (renewal, or retry after a failure) is due. */
  next_attempt_at: Date | null;
}

const lockKey = 0x61636d65; // 'acme': one controller orders certificates at a time

/**
 * Automatic certificates (Heroku's ACM): for an app that enables them, a certificate per custom
 * domain from an ACME CA over HTTP-01 (the routers answer the challenges from the route store),
 * stored like an uploaded one (CertService), renewed `renewBeforeMs` before it expires; a failure
 * keeps the CA's reason and is tried again later (backing off to a day).
 */
export class AcmeService {
  private client: acme.Client | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly o: AcmeOptions) {}

  async enable(app: AppRow): Promise<AcmeDomainStatus[]> {
    await enableAcme(this.o.pool, app.id);
    this.kick();
    return this.status(app);
  }

  async disable(app: AppRow): Promise<AcmeDomainStatus[]> {
    const before = await this.status(app);
    for (const row of await disableAcme(this.o.pool, app.id)) {
      if (row.cert_id) await this.o.certs.remove(app, row.cert_id).catch(() => undefined);
    }
    return before;
  }

  async status(app: AppRow): Promise<AcmeDomainStatus[]> {
    if (!(await acmeEnabled(this.o.pool, app.id))) return [];
    const rows = new Map((await acmeDomainsOf(this.o.pool, app.id)).map((r) => [r.hostname, r]));
    return (await listDomains(this.o.pool, app.id)).map(({ hostname }) => {
      if (hostname.startsWith('*.')) {
        return { hostname, status: 'unsupported', message: 'wildcard domains need DNS-01 validation: upload a certificate with paas certs:add', expires_at: null, next_attempt_at: null };
      }
      const r = rows.get(hostname);
      if (!r) return { hostname, status: 'waiting', message: null, expires_at: null, next_attempt_at: null };
      return { hostname, status: r.status, message: r.message, expires_at: r.expires_at, next_attempt_at: r.status === 'pending' ? null : this.due(r) };
    });
  }

  /** Waits for the pass under way, if any. */
  async settle(): Promise<void> {
    await this.running?.catch(() => undefined);
  }

  /** Starts a pass in the background (after an enable, or a refresh). */
  kick(): void {
    void this.runOnce().catch((err: unknown) => this.o.log.warn({ err }, 'automatic certificates: pass failed'));
  }

  /** One pass over every app with automatic certificates: orders what is missing, due for renewal or due for a retry. */
  runOnce(): Promise<void> {
    this.running ??= this.pass().finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(): Promise<void> {
    const conn = await this.o.pool.connect();
    try {
      // Across controllers: one orders, the others skip this pass.
      const { rows } = await conn.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [lockKey]);
      if (!rows[0]?.ok) return;
      try {
        for (const appId of await acmeAppIds(this.o.pool)) {
          const { rows: names } = await this.o.pool.query<{ name: string }>('SELECT name FROM apps WHERE id = $1', [appId]);
          const app = names[0] ? await findAppByName(this.o.pool, names[0].name) : undefined;
          if (app) await this.passApp(app);
        }
      } finally {
        await conn.query('SELECT pg_advisory_unlock($1)', [lockKey]);
      }
    } finally {
      conn.release();
    }
  }

  private async passApp(app: AppRow): Promise<void> {
    const rows = new Map((await acmeDomainsOf(this.o.pool, app.id)).map((r) => [r.hostname, r]));
    for (const { hostname } of await listDomains(this.o.pool, app.id)) {
      if (hostname.startsWith('*.')) continue;
      const row = rows.get(hostname);
      if (row && this.due(row).getTime() > Date.now()) continue;
      await this.issue(app, hostname, row);
    }
  }

  /** When a domain's row wants work: renewal before expiry, a retry after a failure. */
  private due(r: AcmeDomainRow): Date {
    if (r.status === 'issued' && r.expires_at) return new Date(r.expires_at.getTime() - this.o.renewBeforeMs);
    return r.next_attempt_at;
  }

  private async issue(app: AppRow, hostname: string, previous: AcmeDomainRow | undefined): Promise<void> {
    await setAcmeDomain(this.o.pool, app.id, hostname, { status: previous?.status === 'issued' ? 'issued' : 'pending' });
    try {
      const client = await this.account();
      const [key, csr] = await acme.crypto.createCsr({ commonName: hostname, altNames: [hostname] }, await acme.crypto.createPrivateEcdsaKey('P-256'));
      const chain = await client.auto({
        csr,
        email: this.o.email,
        termsOfServiceAgreed: true,
        challengePriority: ['http-01'],
        // The CA checks through the routers; the controller may not reach its own domains by name.
        skipChallengeVerification: true,
        challengeCreateFn: async (_authz, challenge, keyAuthorization) => {
          if (challenge.type !== 'http-01') throw new Error(`the CA offered ${challenge.type}; paas answers http-01 only`);
          await this.o.challenges.putChallenge(challenge.token, keyAuthorization, 15 * 60);
        },
        challengeRemoveFn: async (_authz, challenge) => {
          await this.o.challenges.removeChallenge(challenge.token);
        },
      });
      const cert = await this.o.certs.add(app, chain, key.toString());
      if (previous?.cert_id && previous.cert_id !== cert.id) await this.o.certs.remove(app, previous.cert_id).catch(() => undefined);
      await setAcmeDomain(this.o.pool, app.id, hostname, { status: 'issued', message: null, certId: cert.id, expiresAt: cert.expires_at, attempts: 0 });
      this.o.log.info({ app: app.name, hostname, expires_at: cert.expires_at }, 'automatic certificate issued');
    } catch (err) {
      const attempts = (previous?.attempts ?? 0) + 1;
      const backoffMs = Math.min(5 * 60_000 * 2 ** (attempts - 1), 24 * 3600_000);
      const message = reasonOf(err);
      // An issued certificate still serves until it expires: the row says the renewal failed.
      await setAcmeDomain(this.o.pool, app.id, hostname, {
        status: 'failed',
        message: previous?.status === 'issued' ? `renewal failed: ${message}` : message,
        attempts,
        nextAttemptAt: new Date(Date.now() + backoffMs),
      });
      this.o.log.warn({ app: app.name, hostname, attempts, reason: message }, 'automatic certificate failed');
    }
  }

  /** The platform's account on the directory: its key made once and kept (encrypted), registered on first use. */
  private async account(): Promise<acme.Client> {
    if (this.client) return this.client;
    const context = `acme_account:${this.o.directoryUrl}`;
    const stored = await acmeAccount(this.o.pool, this.o.directoryUrl);
    const keyEnc = stored?.key_enc ?? (await saveAcmeAccount(this.o.pool, this.o.directoryUrl, this.o.cipher.encrypt((await acme.crypto.createPrivateEcdsaKey('P-256')).toString(), context)));
    const client = new acme.Client({
      directoryUrl: this.o.directoryUrl,
      accountKey: this.o.cipher.decrypt(keyEnc, context),
      ...(stored?.account_url ? { accountUrl: stored.account_url } : {}),
      backoffAttempts: 10,
    });
    if (!stored?.account_url) {
      await client.createAccount({ termsOfServiceAgreed: true, ...(this.o.email ? { contact: [`mailto:${this.o.email}`] } : {}) });
      await setAcmeAccountUrl(this.o.pool, this.o.directoryUrl, client.getAccountUrl());
    }
    this.client = client;
    return client;
  }
}

/** The CA's words (an ACME problem document's detail, which acme-client puts in the message), else ours. */
export function reasonOf(err: unknown): string {
  if (err instanceof AppError) return err.message;
  const message = err instanceof Error ? err.message : String(err);
  return message.slice(0, 1000) || 'the ACME order failed without a reason';
}

/** Runs passes on a timer (renewals, retries). */
export class AcmeRenewer {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly service: AcmeService,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    this.service.kick();
    this.timer = setInterval(() => this.service.kick(), this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.service.settle();
  }
}
