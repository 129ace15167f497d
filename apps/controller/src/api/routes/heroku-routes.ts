import { z } from 'zod';
import {
  addonAttachmentSchema,
  addonServiceSchema,
  featureSchema,
  oauthAuthorizationSchema,
  regionSchema,
  sniEndpointSchema,
} from '@paas/shared/api-contract';
import { AppError } from '@paas/shared';
import { listApiTokens } from '../../db/users.js';
import type { ApiContext } from '../context.js';
import { requester } from '../auth.js';
import { tokenDescriptionMax } from '../input-limits.js';
import type { RouteTable } from '../route-table.js';
import { singleLineText } from '../text-rules.js';
import { accountFeatures, appFeatures, featureJson } from '../heroku/features.js';
import { attachmentsVisibleTo } from '../../db/addons.js';
import { addonAttachmentJson, addonServiceJson, addonServices, oauthAuthorizationJson, regionJson, sniEndpointJson } from '../heroku/heroku-json.js';
import { issueAuthorization, revokeAuthorization } from './auth-routes.js';
import { addCertBody, auditFacts } from './domains-routes.js';

const oauthBody = z
  .object({
    description: singleLineText(tokenDescriptionMax).default(''),
    scope: z
      .array(z.string().max(40))
      .max(10)
      .optional()
      .refine((s) => s === undefined || s.every((x) => x === 'global'), 'paas API tokens act as their user in everything: only the global scope exists')
      .describe('["global"] (the only scope: a token acts as its user)'),
    expires_in: z.null({ invalid_type_error: 'paas API tokens do not expire: revoke them instead' }).optional(),
  })
  .strict();

const featureBody = z.object({ enabled: z.boolean({ required_error: 'is required: true or false' }) }).strict();

/**
 * Heroku's Platform API resources that paas answers in Heroku's shape for its CLI and heroku-client
 * (issue 24): regions, features, OAuth authorizations (paas's API tokens), SNI endpoints (paas's
 * certificates) and add-on services.
 */
export function herokuRoutes(table: RouteTable, ctx: ApiContext): void {
  const docUrl = `${ctx.config.api.url}/openapi.json`;
  // The platform's first account (the admin npm run up made) dates the region and the add-on services.
  const platformSince = async (): Promise<Date> => {
    const { rows } = await ctx.pool.query<{ since: Date | null }>('SELECT min(created_at) AS since FROM users');
    return rows[0]?.since ?? new Date(0);
  };
  const region = ctx.config.api.region;

  table.add({
    method: 'get',
    path: '/regions',
    action: 'account',
    tag: 'heroku',
    summary: 'The regions apps can run in: this cluster, named by PAAS_REGION',
    response: z.array(regionSchema),
    handler: async () => [regionJson(region, await platformSince())],
  });

  table.add({
    method: 'get',
    path: '/regions/:region',
    action: 'account',
    tag: 'heroku',
    summary: 'One region, by name or id',
    params: { region: 'The region name or id' },
    response: regionSchema,
    handler: async ({ params }) => {
      const json = regionJson(region, await platformSince());
      if (params['region'] !== json.name && params['region'] !== json.id) throw new AppError('region_not_found', `no region ${String(params['region']).slice(0, 100)}: this platform has ${json.name}`);
      return json;
    },
  });

  table.add({
    method: 'get',
    path: '/apps/:app/features',
    action: 'app:read',
    tag: 'heroku',
    summary: "The app's switches (Heroku's app features): each enabled or not",
    response: z.array(featureSchema),
    handler: async ({ app }) => Promise.all(appFeatures.map(async (f) => featureJson(f, await f.enabled(ctx, app), docUrl, app.created_at))),
  });

  const appFeature = (name: string) => {
    const f = appFeatures.find((x) => x.name === name);
    if (!f) throw new AppError('feature_not_found', `no feature ${name.slice(0, 100)}: the features are ${appFeatures.map((x) => x.name).join(', ')}`);
    return f;
  };

  table.add({
    method: 'get',
    path: '/apps/:app/features/:feature',
    action: 'app:read',
    tag: 'heroku',
    summary: 'One app feature',
    params: { feature: 'The feature name (or id)' },
    response: featureSchema,
    handler: async ({ app, params }) => {
      const f = appFeatures.find((x) => featureJson(x, false, '', app.created_at).id === params['feature']) ?? appFeature(params['feature'] ?? '');
      return featureJson(f, await f.enabled(ctx, app), docUrl, app.created_at);
    },
  });

  table.add({
    method: 'patch',
    path: '/apps/:app/features/:feature',
    action: 'app:domains',
    tag: 'heroku',
    summary: 'Enable or disable an app feature (live when this answers)',
    params: { feature: 'The feature name' },
    body: featureBody,
    example: { enabled: true },
    response: featureSchema,
    handler: async ({ app, params, body, req }) => {
      const f = appFeature(params['feature'] ?? '');
      await f.set(ctx, app, body.enabled, req);
      return featureJson(f, await f.enabled(ctx, app), docUrl, app.created_at);
    },
  });

  table.add({
    method: 'get',
    path: '/account/features',
    action: 'account',
    tag: 'heroku',
    summary: 'Your account’s switches (Heroku’s account features): none yet in paas, an empty list',
    response: z.array(featureSchema),
    handler: () => [],
  });

  table.add({
    method: 'get',
    path: '/account/features/:feature',
    action: 'account',
    tag: 'heroku',
    summary: 'One account feature (paas has none yet: 404)',
    params: { feature: 'The feature name' },
    response: featureSchema,
    handler: ({ params }) => {
      const f = accountFeatures.find((x) => x.name === params['feature']);
      if (!f) throw new AppError('feature_not_found', `no account feature ${String(params['feature']).slice(0, 100)}`);
      return featureJson(f, false, docUrl, new Date(0));
    },
  });

  table.add({
    method: 'get',
    path: '/oauth/authorizations',
    action: 'account',
    tag: 'heroku',
    summary: 'Your API tokens as Heroku’s OAuth authorizations (the tokens themselves are not kept)',
    response: z.array(oauthAuthorizationSchema),
    handler: async ({ user }) => (await listApiTokens(ctx.pool, user.id)).map((t) => oauthAuthorizationJson(t, user)),
  });

  table.add({
    method: 'post',
    path: '/oauth/authorizations',
    action: 'account',
    tag: 'heroku',
    summary: 'Create an API token (heroku authorizations:create): access_token.token, shown this once',
    body: oauthBody,
    example: { description: 'ci', scope: ['global'] },
    status: 201,
    response: oauthAuthorizationSchema,
    handler: async ({ user, body, req }) => {
      const { token, authorization } = await issueAuthorization(ctx, user, body.description, req);
      return oauthAuthorizationJson(authorization, user, token);
    },
  });

  table.add({
    method: 'get',
    path: '/oauth/authorizations/:authorization',
    action: 'account',
    tag: 'heroku',
    summary: 'One of your API tokens',
    params: { authorization: 'The authorization id' },
    response: oauthAuthorizationSchema,
    handler: async ({ user, params }) => {
      const t = (await listApiTokens(ctx.pool, user.id)).find((x) => x.id === params['authorization']);
      if (!t) throw new AppError('authorization_not_found', `you have no authorization ${String(params['authorization']).slice(0, 100)}`);
      return oauthAuthorizationJson(t, user);
    },
  });

  table.add({
    method: 'delete',
    path: '/oauth/authorizations/:authorization',
    action: 'account',
    tag: 'heroku',
    summary: 'Revoke one of your API tokens; it fails from the next request on',
    params: { authorization: 'The authorization id' },
    response: oauthAuthorizationSchema,
    handler: async ({ user, params, req }) => oauthAuthorizationJson(await revokeAuthorization(ctx, user, params['authorization'] ?? '', req), user),
  });

  const sniOf = async (app: Parameters<typeof ctx.certs.list>[0]) => {
    const hostnames = (await ctx.domains.list(app)).map((d) => d.hostname);
    return (await ctx.certs.listWithChains(app)).map((c) => sniEndpointJson(app, c, hostnames));
  };

  table.add({
    method: 'get',
    path: '/apps/:app/sni-endpoints',
    action: 'app:domains',
    tag: 'domains',
    summary: "The app's TLS certificates as Heroku's SNI endpoints (the same as /certs)",
    response: z.array(sniEndpointSchema),
    handler: ({ app }) => sniOf(app),
  });

  table.add({
    method: 'get',
    path: '/apps/:app/sni-endpoints/:endpoint',
    action: 'app:domains',
    tag: 'domains',
    summary: 'One SNI endpoint, by id or name',
    params: { endpoint: 'The id or the name of the SNI endpoint' },
    response: sniEndpointSchema,
    handler: async ({ app, params }) => {
      const found = (await sniOf(app)).find((e) => e.id === params['endpoint'] || e.name === params['endpoint']);
      if (!found) throw new AppError('not_found', `${app.name} has no SNI endpoint ${String(params['endpoint']).slice(0, 100)}`);
      return found;
    },
  });

  table.add({
    method: 'post',
    path: '/apps/:app/sni-endpoints',
    action: 'app:domains',
    tag: 'domains',
    summary: 'Add a TLS certificate and its key (heroku certs:add), as POST /certs',
    body: addCertBody,
    example: { certificate_chain: '-----BEGIN CERTIFICATE-----\n…', private_key: '-----BEGIN PRIVATE KEY-----\n…' },
    status: 201,
    response: sniEndpointSchema,
    handler: async ({ app, body, req }) => {
      const cert = await ctx.certs.add(app, body.certificate_chain, body.private_key);
      await ctx.access.audit.record({ ...requester(req), action: 'cert.add', app: app.name, details: auditFacts(cert) });
      return (await sniOf(app)).find((e) => e.id === cert.id)!;
    },
  });

  table.add({
    method: 'delete',
    path: '/apps/:app/sni-endpoints/:endpoint',
    action: 'app:domains',
    tag: 'domains',
    summary: 'Remove a TLS certificate (heroku certs:remove)',
    params: { endpoint: 'The id or the name of the SNI endpoint' },
    response: sniEndpointSchema,
    handler: async ({ app, params, req }) => {
      const found = (await sniOf(app)).find((e) => e.id === params['endpoint'] || e.name === params['endpoint']);
      if (!found) throw new AppError('not_found', `${app.name} has no SNI endpoint ${String(params['endpoint']).slice(0, 100)}`);
      const cert = await ctx.certs.remove(app, found.id);
      await ctx.access.audit.record({ ...requester(req), action: 'cert.remove', app: app.name, details: auditFacts(cert) });
      return found;
    },
  });

  if (ctx.addons) {
    table.add({
      method: 'get',
      path: '/addon-attachments',
      action: 'account',
      tag: 'addons',
      summary: 'The add-on attachments of the apps you can read (heroku addons)',
      response: z.array(addonAttachmentSchema),
      handler: async ({ user }) => (await attachmentsVisibleTo(ctx.pool, user)).map(addonAttachmentJson),
    });

    table.add({
      method: 'get',
      path: '/apps/:app/addon-attachments',
      action: 'app:read',
      tag: 'addons',
      summary: "The add-on attachments of an app: each a config var an add-on sets on it",
      response: z.array(addonAttachmentSchema),
      handler: async ({ app, user }) => (await attachmentsVisibleTo(ctx.pool, user, app.id)).map(addonAttachmentJson),
    });

    table.add({
      method: 'get',
      path: '/addon-services',
      action: 'account',
      tag: 'addons',
      summary: 'The add-on services: heroku-postgresql (paas postgres) and heroku-redis (paas redis)',
      response: z.array(addonServiceSchema),
      handler: async () => {
        const since = await platformSince();
        return addonServices.map((s) => addonServiceJson(s, since));
      },
    });

    table.add({
      method: 'get',
      path: '/addon-services/:service',
      action: 'account',
      tag: 'addons',
      summary: 'One add-on service, by Heroku’s name, paas’s (postgres, redis) or id',
      params: { service: 'heroku-postgresql, heroku-redis, postgres, redis or an id' },
      response: addonServiceSchema,
      handler: async ({ params }) => {
        const since = await platformSince();
        const key = params['service'] ?? '';
        const found = addonServices.map((s) => ({ s, json: addonServiceJson(s, since) })).find(({ s, json }) => key === s.name || key === s.kind || key === json.id);
        if (!found) throw new AppError('not_found', `no add-on service ${key.slice(0, 100)}: there are heroku-postgresql and heroku-redis`);
        return found.json;
      },
    });
  }
}
