import { createHash } from 'node:crypto';
import type { AppRow } from '../../db/apps.js';
import type { ApiTokenRow, User } from '../../db/users.js';
import type { CertJson } from '../../domains/cert-service.js';
import type { AddonView } from '../../addons/addon-service.js';
import type { AttachmentListRow } from '../../db/addons.js';

/**
 * paas's resources in the shapes of Heroku's Platform API v3 (`@paas/shared/api-contract`
 * heroku.ts), for the resources paas names differently or that only Heroku's clients ask for.
 */

/** A stable UUID (RFC 4122 variant, version 5 layout) for things paas names rather than numbers: regions, features, services. */
export function stableId(kind: string, name: string): string {
  const h = createHash('sha256').update(`paas:${kind}:${name}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

export function regionRef(name: string) {
  return { id: stableId('region', name), name };
}

/** The platform's start stands for the region's creation: it has no other date. */
export function regionJson(region: { name: string; description: string }, since: Date) {
  return {
    ...regionRef(region.name),
    description: region.description,
    country: '',
    locale: '',
    private_capable: false,
    provider: { name: 'paas' },
    created_at: since,
    updated_at: since,
  };
}

/** One of paas's API tokens as Heroku's OAuth authorization (`heroku authorizations`). */
export function oauthAuthorizationJson(t: ApiTokenRow, user: Pick<User, 'id' | 'email'>, token?: string) {
  return {
    id: t.id,
    description: t.description,
    // A paas API token acts as its user in everything (Heroku's "global" scope).
    scope: ['global'],
    access_token: { id: t.id, ...(token === undefined ? {} : { token }), expires_in: null },
    client: null,
    grant: null,
    refresh_token: null,
    session: null,
    user: { id: user.id, email: user.email, full_name: null },
    created_at: t.created_at,
    updated_at: t.last_used_at ?? t.created_at,
    last_used_at: t.last_used_at,
  };
}

/** A certificate as Heroku's SNI endpoint (`heroku certs`, `domains:add`). */
export function sniEndpointJson(app: Pick<AppRow, 'id' | 'name'>, c: CertJson & { certificate_chain: string }, appHostnames: string[]) {
  const covers = (host: string): boolean =>
    c.names.some((n) => n === host || (n.startsWith('*.') && host.endsWith(n.slice(1)) && !host.slice(0, -n.length + 1).includes('.')));
  const selfSigned = c.subject === c.issuer;
  return {
    id: c.id,
    name: `${app.name}-${c.id.slice(0, 8)}`,
    certificate_chain: c.certificate_chain,
    app: { id: app.id, name: app.name },
    domains: appHostnames.filter(covers),
    ssl_cert: {
      cert_domains: c.names,
      expires_at: c.expires_at,
      issuer: c.issuer,
      starts_at: c.not_before,
      subject: c.subject,
      fingerprint: c.fingerprint,
      acm: false,
      'ca_signed?': !selfSigned,
      'self_signed?': selfSigned,
    },
    created_at: c.created_at,
    updated_at: c.created_at,
  };
}

/** paas's add-on kinds under Heroku's service names. */
export const addonServices = [
  { kind: 'postgres', name: 'heroku-postgresql', human_name: 'Heroku Postgres (paas postgres)' },
  { kind: 'redis', name: 'heroku-redis', human_name: 'Heroku Key-Value Store (paas redis)' },
] as const;

export function addonServiceJson(s: (typeof addonServices)[number], since: Date) {
  return {
    id: stableId('addon-service', s.kind),
    name: s.name,
    human_name: s.human_name,
    state: 'ga' as const,
    supports_multiple_installations: true,
    supports_sharing: true,
    cli_plugin_name: null,
    created_at: since,
    updated_at: since,
  };
}

/** An add-on attached to `app` in Heroku's shape (`heroku addons`): its service and plan as references. */
export function herokuAddonJson(a: AddonView, owner: { id: string; name: string }, listedFor: string) {
  const service = addonServices.find((s) => s.kind === a.service)!;
  const plan = `${service.name}:${a.plan}`;
  return {
    id: a.id,
    name: a.name,
    addon_service: { id: stableId('addon-service', a.service), name: service.name },
    plan: { id: stableId('addon-plan', plan), name: plan },
    app: owner,
    billing_entity: { id: owner.id, name: owner.name, type: 'app' as const },
    config_vars: a.attachments.filter((t) => t.app === listedFor).map((t) => t.config_var),
    state: 'provisioned' as const,
    web_url: null,
    provider_id: a.name,
    actions: [] as never[],
    billed_price: null,
    created_at: a.created_at,
    updated_at: a.created_at,
  };
}

/** An add-on attachment in Heroku's shape (`heroku addons` pairs them with the add-ons by addon.id). */
export function addonAttachmentJson(t: AttachmentListRow) {
  return {
    id: stableId('addon-attachment', `${t.addon_id}:${t.app_id}`),
    name: t.as_name,
    addon: { id: t.addon_id, name: t.addon_name, app: { id: t.home_app_id, name: t.home_app_name } },
    app: { id: t.app_id, name: t.app_name },
    namespace: null,
    web_url: null,
    log_input_url: null,
    created_at: t.created_at,
    updated_at: t.created_at,
  };
}
