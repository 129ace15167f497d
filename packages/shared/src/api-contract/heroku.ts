// Resources of Heroku's Platform API v3 that paas answers in Heroku's shape (its CLI, heroku-client
// and scripts read them): log sessions, regions, features, OAuth authorizations, SNI endpoints,
// add-ons and add-on services. Checked against `@heroku-cli/schema` by a type-level test.
import { z } from 'zod';
import { id, timestamp } from './common.js';

const ref = z.object({ id, name: z.string() });

export const logSessionSchema = z.object({
  id,
  logplex_url: z.string().describe('GET it (once, within five minutes) for the log: text/event-stream or text/plain'),
  created_at: timestamp,
  updated_at: timestamp,
});

export const regionSchema = z.object({
  id,
  name: z.string().describe('PAAS_REGION (default: the cluster name, PAAS_CLUSTER)'),
  description: z.string(),
  country: z.string(),
  locale: z.string(),
  private_capable: z.boolean(),
  provider: z.object({ name: z.string() }),
  created_at: timestamp,
  updated_at: timestamp,
});

export const featureSchema = z.object({
  id,
  name: z.string(),
  display_name: z.string(),
  description: z.string(),
  doc_url: z.string(),
  enabled: z.boolean(),
  state: z.enum(['general', 'beta', 'alpha']),
  feedback_email: z.string(),
  created_at: timestamp,
  updated_at: timestamp,
});

export const oauthAuthorizationSchema = z.object({
  id,
  description: z.string(),
  scope: z.array(z.string()),
  access_token: z
    .object({ id, token: z.string().optional(), expires_in: z.null() })
    .nullable()
    .describe('The token itself only when it is created: paas keeps its hash'),
  client: z.null(),
  grant: z.null(),
  refresh_token: z.null(),
  session: z.null(),
  user: z.object({ id, email: z.string(), full_name: z.null() }),
  created_at: timestamp,
  updated_at: timestamp,
  last_used_at: timestamp.nullable(),
});

export const sniEndpointSchema = z.object({
  id,
  name: z.string(),
  certificate_chain: z.string().describe('The certificate and its intermediates, PEM'),
  app: ref,
  domains: z.array(z.string()).describe('Hostnames of the app this certificate covers'),
  ssl_cert: z.object({
    cert_domains: z.array(z.string()),
    expires_at: timestamp,
    issuer: z.string(),
    starts_at: timestamp,
    subject: z.string(),
    fingerprint: z.string(),
    acm: z.boolean(),
    'ca_signed?': z.boolean(),
    'self_signed?': z.boolean(),
  }),
  created_at: timestamp,
  updated_at: timestamp,
});

export const addonServiceSchema = z.object({
  id,
  name: z.string().describe('heroku-postgresql or heroku-redis (paas add-ons postgres and redis)'),
  human_name: z.string(),
  state: z.literal('ga'),
  supports_multiple_installations: z.boolean(),
  supports_sharing: z.boolean(),
  cli_plugin_name: z.null(),
  created_at: timestamp,
  updated_at: timestamp,
});

export const herokuAddonSchema = z.object({
  id,
  name: z.string(),
  addon_service: ref,
  plan: ref,
  app: ref,
  billing_entity: z.object({ id, name: z.string(), type: z.literal('app') }),
  config_vars: z.array(z.string()),
  state: z.literal('provisioned'),
  web_url: z.null(),
  provider_id: z.string(),
  actions: z.array(z.never()),
  billed_price: z.null(),
  created_at: timestamp,
  updated_at: timestamp,
});

export const addonAttachmentSchema = z.object({
  id,
  name: z.string().describe('The config var prefix it sets on the app (DATABASE: DATABASE_URL)'),
  addon: z.object({ id, name: z.string(), app: ref }),
  app: ref,
  namespace: z.null(),
  web_url: z.null(),
  log_input_url: z.null(),
  created_at: timestamp,
  updated_at: timestamp,
});

export type AddonAttachment = z.infer<typeof addonAttachmentSchema>;
export type LogSession = z.infer<typeof logSessionSchema>;
export type Region = z.infer<typeof regionSchema>;
export type Feature = z.infer<typeof featureSchema>;
export type OAuthAuthorization = z.infer<typeof oauthAuthorizationSchema>;
export type SniEndpoint = z.infer<typeof sniEndpointSchema>;
export type AddonService = z.infer<typeof addonServiceSchema>;
export type HerokuAddon = z.infer<typeof herokuAddonSchema>;
