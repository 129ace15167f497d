import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { AppError, type Logger, type SecretBox } from '@paas/shared';
import { lockAppRow, type AppRow } from '../db/apps.js';
import { updateConfigVars } from '../db/config-vars.js';
import { inTransaction, type Queryable } from '../db/queryable.js';
import {
  addonCount,
  addonServerUrlContext,
  addonUrlContext,
  addonsHomedAt,
  addonsOfApp,
  addonsOfOwner,
  allAddons,
  attachmentsOf,
  deleteAddon,
  deleteAttachment,
  findAddon,
  insertAddon,
  insertAttachment,
  listAddonServers,
  updateAddonUrl,
  type AddonRow,
  type AttachmentRow,
} from '../db/addons.js';
import { addonPlans, attachmentNamePattern, defaultAttachmentName, resolvePlan, type AddonKind, type AddonPlan } from './addon-plans.js';
import type { AddonEngine, AddonProvisioner, AddonServer, AddonUsage } from './addon-provisioner.js';

export interface AddonLimits {
  /** Add-ons one user may own. */
  count: number;
  /** MB the add-ons of one user may hold together (plan sizes): a new one must fit. */
  totalMb: number;
}

export interface AddonServiceOptions {
  pool: pg.Pool;
  cipher: SecretBox;
  provisioners: readonly AddonProvisioner[];
  /** How new add-ons of each kind are made (default: shared). */
  engines?: Partial<Record<AddonKind, AddonEngine>>;
  /** The platform's own servers per kind (from the controller's config); operator-registered ones come first. */
  platformServers: Partial<Record<AddonKind, AddonServer>>;
  limits: AddonLimits;
  /** Makes a release of the app's current image with its config (no release before the first deploy). */
  releaseConfigChange: (app: AppRow, description: string, userId: string) => Promise<unknown>;
  log: Logger;
  /** Called when an add-on is gone (its backups are removed). */
  forget?: (addonId: string) => Promise<void>;
}

/** An add-on as the API shows it (never its URL: that is the attached apps' config var). */
export interface AddonView {
  id: string;
  name: string;
  service: AddonKind;
  plan: string;
  app: string;
  attachments: { app: string; config_var: string }[];
  created_at: Date;
}

/**
 * Add-ons: provisions them on a server of their kind, attaches them to apps as `<AS>_URL` config
 * vars (each change a new release), shares them between apps of one owner, and destroys them.
 */
export class AddonService {
  private readonly byKind: Map<string, AddonProvisioner>;

  constructor(private readonly o: AddonServiceOptions) {
    this.byKind = new Map(o.provisioners.map((p) => [`${p.kind}:${p.engine ?? 'shared'}`, p]));
  }

  async create(app: AppRow, user: { id: string }, input: { service: string; plan?: string; as?: string }): Promise<AddonView> {
    const { kind, plan } = resolvePlan(input.service, input.plan);
    const asName = checkAsName(input.as ?? defaultAttachmentName(kind));
    const engine = this.o.engines?.[kind] ?? 'shared';
    const provisioner = this.provisioner(kind, engine);
    const { id: serverId, server } = engine === 'shared' ? await this.pickServer(kind) : { id: null, server: { adminUrl: '' } };
    const resource = `addon_${randomBytes(8).toString('hex')}`;
    const name = `${kind}-${resource.slice('addon_'.length)}`;
    // The owner's row is held while the quota is checked and the add-on made: two creates of one
    // owner cannot both pass the last free place.
    const view = await inTransaction(this.o.pool, async (tx) => {
      await tx.query('SELECT 1 FROM users WHERE id = $1 FOR UPDATE', [app.owner_id]);
      await this.checkQuota(tx, app.owner_id, plan);
      await lockAppRow(tx, app.id);
      await this.checkFreeName(tx, app, asName);
      const url = await provisioner.create(server, resource, plan);
      try {
        const id = await insertAddon(
          tx,
          { name, kind, engine, plan: plan.name, ownerId: app.owner_id, appId: app.id, serverId, resource },
          (addonId) => this.o.cipher.encrypt(url, addonUrlContext(addonId)),
        );
        await insertAttachment(tx, id, app.id, asName);
        await updateConfigVars(tx, this.o.cipher, app.id, { [`${asName}_URL`]: url, ...(kind === 'redis' ? { [`${asName}_KEY_PREFIX`]: `${resource}:` } : {}) });
        return this.view(tx, (await findAddon(tx, name))!);
      } catch (err) {
        await provisioner.destroy(server, resource).catch((e: unknown) => this.o.log.error({ err: e, resource }, 'could not remove an add-on that failed to record'));
        throw err;
      }
    });
    this.o.log.info({ app: app.name, addon: name, plan: plan.name }, 'add-on created');
    await this.o.releaseConfigChange(app, `Attach ${name} as ${asName}`, user.id);
    return view;
  }

  async list(app: AppRow): Promise<(AddonView & { config_var: string })[]> {
    const rows = await addonsOfApp(this.o.pool, app.id);
    return Promise.all(rows.map(async (r) => ({ ...(await this.view(this.o.pool, r)), config_var: `${r.as_name}_URL` })));
  }

  /** An add-on attached to `app` (404 otherwise, so a user cannot learn of others' add-ons). */
  async get(app: AppRow, name: string): Promise<AddonRow & { as_name: string }> {
    const found = (await addonsOfApp(this.o.pool, app.id)).find((a) => a.name === name);
    if (!found) throw new AppError('addon_not_found', `${app.name} has no add-on named ${name}: see paas addons -a ${app.name}`);
    return found;
  }

  async info(app: AppRow, name: string): Promise<AddonView & { usage: AddonUsage; plan_limits: AddonPlan }> {
    const addon = await this.get(app, name);
    const usage = await this.of(addon).usage(await this.serverOf(addon), addon.resource);
    const planLimits = addonPlans[addon.kind].find((p) => p.name === addon.plan) ?? addonPlans[addon.kind][0]!;
    return { ...(await this.view(this.o.pool, addon)), usage, plan_limits: planLimits };
  }

  /** The add-on's URL, for pg:psql, redis:cli and backups. */
  async url(addon: AddonRow): Promise<string> {
    return this.o.cipher.decrypt(addon.url_enc, addonUrlContext(addon.id));
  }

  /** Shares an add-on of `target`'s owner with `target` as `<AS>_URL`. */
  async attach(addon: AddonRow, target: AppRow, user: { id: string }, as?: string): Promise<AddonView> {
    if (addon.owner_id !== target.owner_id) {
      throw new AppError('forbidden', `${addon.name} and ${target.name} have different owners: an add-on is shared only between apps of its owner`);
    }
    const asName = checkAsName(as ?? defaultAttachmentName(addon.kind));
    const url = await this.url(addon);
    await inTransaction(this.o.pool, async (tx) => {
      await lockAppRow(tx, target.id);
      if ((await attachmentsOf(tx, addon.id)).some((t) => t.app_id === target.id)) {
        throw new AppError('name_taken', `${addon.name} is already attached to ${target.name}`);
      }
      await this.checkFreeName(tx, target, asName);
      await insertAttachment(tx, addon.id, target.id, asName);
      await updateConfigVars(tx, this.o.cipher, target.id, { [`${asName}_URL`]: url, ...this.prefixVar(addon, asName) });
    });
    await this.o.releaseConfigChange(target, `Attach ${addon.name} as ${asName}`, user.id);
    return this.view(this.o.pool, addon);
  }

  /** Removes a shared add-on from an app other than its own. */
  async detach(app: AppRow, name: string, user: { id: string }): Promise<AddonView> {
    const addon = await this.get(app, name);
    if (addon.app_id === app.id) throw new AppError('invalid_params', `${name} belongs to ${app.name}: destroy it with paas addons:destroy`);
    await this.unattach(addon, { addon_id: addon.id, app_id: app.id, app_name: app.name, as_name: addon.as_name });
    await this.o.releaseConfigChange(app, `Detach ${addon.name}`, user.id);
    return this.view(this.o.pool, addon);
  }

  /** Destroys an add-on from its own app: detached everywhere (a release each), then its data dropped. */
  async destroy(app: AppRow, name: string, user: { id: string }, apps: (id: string) => Promise<AppRow | undefined>): Promise<AddonView> {
    const addon = await this.get(app, name);
    if (addon.app_id !== app.id) {
      throw new AppError('invalid_params', `${name} belongs to ${addon.app_name}; remove it from ${app.name} with paas addons:detach`);
    }
    const view = await this.view(this.o.pool, addon);
    for (const t of await attachmentsOf(this.o.pool, addon.id)) {
      await this.unattach(addon, t);
      const attached = await apps(t.app_id);
      if (attached) await this.o.releaseConfigChange(attached, `Destroy ${addon.name}`, user.id);
    }
    await this.drop(addon);
    return view;
  }

  /** Drops the add-ons created for an app being destroyed (their other attachments go with them). */
  async destroyAppAddons(app: AppRow): Promise<void> {
    for (const addon of await addonsHomedAt(this.o.pool, app.id)) {
      for (const t of await attachmentsOf(this.o.pool, addon.id)) if (t.app_id !== app.id) await this.unattach(addon, t);
      await this.drop(addon);
    }
  }

  /** New credentials: every attached app gets the new URL and a release. */
  async rotate(app: AppRow, name: string, user: { id: string }, apps: (id: string) => Promise<AppRow | undefined>): Promise<AddonView> {
    const addon = await this.get(app, name);
    const url = await this.of(addon).rotate(await this.serverOf(addon), addon.resource);
    const attachments = await attachmentsOf(this.o.pool, addon.id);
    await inTransaction(this.o.pool, async (tx) => {
      await updateAddonUrl(tx, addon.id, this.o.cipher.encrypt(url, addonUrlContext(addon.id)));
      for (const t of attachments) await updateConfigVars(tx, this.o.cipher, t.app_id, { [`${t.as_name}_URL`]: url });
    });
    for (const t of attachments) {
      const attached = await apps(t.app_id);
      if (attached) await this.o.releaseConfigChange(attached, `Rotate ${addon.name}'s credentials`, user.id);
    }
    return this.view(this.o.pool, addon);
  }

  /** Recreates what a server forgot (Redis ACL users after a restart without an ACL file). */
  async ensureAll(): Promise<void> {
    for (const p of this.o.provisioners) {
      if (!p.ensure) continue;
      for (const addon of (await allAddons(this.o.pool, p.kind)).filter((a) => a.engine === (p.engine ?? 'shared'))) {
        const plan = addonPlans[addon.kind].find((x) => x.name === addon.plan) ?? addonPlans[addon.kind][0]!;
        await p
          .ensure(await this.serverOf(addon), addon.resource, await this.url(addon), plan)
          .catch((err: unknown) => this.o.log.warn({ addon: addon.name, err: (err as Error).message }, 'could not restore an add-on on its server'));
      }
    }
  }

  async serverOf(addon: AddonRow): Promise<AddonServer> {
    if (addon.engine === 'container') return { adminUrl: '' };
    if (addon.server_id === null) {
      const s = this.o.platformServers[addon.kind];
      if (!s) throw new AppError('unavailable', `the platform's ${addon.kind} server for add-ons is not configured any more`);
      return s;
    }
    const row = (await listAddonServers(this.o.pool)).find((s) => s.id === addon.server_id);
    if (!row) throw new AppError('unavailable', `the server of ${addon.name} is not registered any more`);
    return { adminUrl: this.o.cipher.decrypt(row.url_enc, addonServerUrlContext(row.id)) };
  }

  /** Where apps reach the add-on servers (the firewall lets them through to these, on these ports only). */
  async endpoints(): Promise<{ address: string; port: number }[]> {
    const defaultPort = (kind: AddonKind): number => (kind === 'postgres' ? 5432 : 6379);
    const out: { address: string; port: number }[] = [];
    for (const [kind, s] of Object.entries(this.o.platformServers) as [AddonKind, AddonServer][]) {
      const url = new URL(s.adminUrl);
      if (s.publicHost) url.host = s.publicHost;
      out.push({ address: url.hostname, port: Number(url.port) || defaultPort(kind) });
    }
    // Dedicated servers (Redis containers): where their URLs point.
    for (const addon of (await allAddons(this.o.pool, 'redis')).filter((a) => a.engine === 'container')) {
      const url = new URL(await this.url(addon));
      out.push({ address: url.hostname, port: Number(url.port) });
    }
    for (const row of await listAddonServers(this.o.pool)) {
      const [address, port] = [row.endpoint.slice(0, row.endpoint.lastIndexOf(':')), Number(row.endpoint.slice(row.endpoint.lastIndexOf(':') + 1))];
      out.push({ address, port: port || defaultPort(row.kind) });
    }
    return out;
  }

  private async drop(addon: AddonRow): Promise<void> {
    await this.of(addon).destroy(await this.serverOf(addon), addon.resource);
    await deleteAddon(this.o.pool, addon.id);
    await this.o.forget?.(addon.id);
    this.o.log.info({ addon: addon.name }, 'add-on destroyed');
  }

  private async unattach(addon: AddonRow, t: AttachmentRow): Promise<void> {
    await inTransaction(this.o.pool, async (tx) => {
      await lockAppRow(tx, t.app_id);
      await deleteAttachment(tx, addon.id, t.app_id);
      await updateConfigVars(tx, this.o.cipher, t.app_id, { [`${t.as_name}_URL`]: null, ...(addon.kind === 'redis' ? { [`${t.as_name}_KEY_PREFIX`]: null } : {}) });
    });
  }

  private prefixVar(addon: AddonRow, asName: string): Record<string, string> {
    return addon.kind === 'redis' ? { [`${asName}_KEY_PREFIX`]: `${addon.resource}:` } : {};
  }

  /** The operator-registered server of the kind with the fewest add-ons, else the platform's. */
  private async pickServer(kind: AddonKind): Promise<{ id: string | null; server: AddonServer }> {
    const { rows } = await this.o.pool.query<{ id: string; url_enc: Buffer }>(
      `SELECT s.id, s.url_enc FROM addon_servers s LEFT JOIN addons d ON d.server_id = s.id
       WHERE s.kind = $1 GROUP BY s.id ORDER BY count(d.id), s.created_at LIMIT 1`,
      [kind],
    );
    const row = rows[0];
    if (row) return { id: row.id, server: { adminUrl: this.o.cipher.decrypt(row.url_enc, addonServerUrlContext(row.id)) } };
    const platform = this.o.platformServers[kind];
    if (!platform) throw new AppError('unavailable', `no ${kind} server for add-ons: an admin adds one with paas admin:addon-servers:add ${kind} URL`);
    return { id: null, server: platform };
  }

  private async checkQuota(tx: Queryable, ownerId: string, plan: AddonPlan): Promise<void> {
    const count = await addonCount(tx, ownerId);
    if (count + 1 > this.o.limits.count) {
      throw new AppError('quota_exceeded', `cannot create another add-on: the owner has ${count}, the quota of ${this.o.limits.count}`, {
        details: { quota: 'addons', max: this.o.limits.count },
      });
    }
    const owned = await addonsOfOwner(tx, ownerId);
    const mb = owned.reduce((sum, a) => sum + (addonPlans[a.kind].find((p) => p.name === a.plan)?.sizeMb ?? 0), 0);
    if (mb + plan.sizeMb > this.o.limits.totalMb) {
      throw new AppError('quota_exceeded', `cannot create a ${plan.name} add-on of ${plan.sizeMb} MB: the owner's add-ons hold ${mb} MB of the quota of ${this.o.limits.totalMb} MB`, {
        details: { quota: 'addon_mb', max: this.o.limits.totalMb },
      });
    }
  }

  private async checkFreeName(tx: Queryable, app: AppRow, asName: string): Promise<void> {
    const { rows } = await tx.query('SELECT 1 FROM config_vars WHERE app_id = $1 AND key = $2', [app.id, `${asName}_URL`]);
    if (rows.length) {
      throw new AppError('name_taken', `${app.name} already has ${asName}_URL: choose another name with --as NAME`);
    }
  }

  private provisioner(kind: AddonKind, engine: AddonEngine = 'shared'): AddonProvisioner {
    const p = this.byKind.get(`${kind}:${engine}`);
    if (!p) throw new AppError('unavailable', `${kind} add-ons (${engine}) are not offered on this platform`);
    return p;
  }

  private of(addon: AddonRow): AddonProvisioner {
    return this.provisioner(addon.kind, addon.engine);
  }

  private async view(db: Queryable, a: AddonRow): Promise<AddonView> {
    return {
      id: a.id,
      name: a.name,
      service: a.kind,
      plan: a.plan,
      app: a.app_name,
      attachments: (await attachmentsOf(db, a.id)).map((t) => ({ app: t.app_name, config_var: `${t.as_name}_URL` })),
      created_at: a.created_at,
    };
  }
}

function checkAsName(name: string): string {
  const upper = name.toUpperCase().replace(/-/g, '_');
  if (!attachmentNamePattern.test(upper) || upper === 'PORT' || upper === 'DYNO') {
    throw new AppError('invalid_params', `--as takes a config var prefix of letters, digits and underscores, starting with a letter (e.g. ANALYTICS_DB): ${JSON.stringify(name)}`);
  }
  return upper;
}
