// The fields of each resource that Heroku's CLI and heroku-client read (issue 24): tests check that
// paas's live answers carry them. Typed against paas's own types, so a field paas does not have
// cannot be listed.
import type { Account, AddonService, App, Dyno, Feature, FormationEntry, HerokuAddon, LogSession, OAuthAuthorization, Region, Release, SniEndpoint } from './index.js';

export const herokuFieldsOf = {
  account: ['id', 'email', 'created_at'] satisfies (keyof Account)[],
  app: ['id', 'name', 'owner', 'region', 'web_url', 'git_url', 'created_at', 'maintenance', 'space', 'team', 'organization'] satisfies (keyof App)[],
  formation: ['type', 'quantity', 'command', 'app'] satisfies (keyof FormationEntry)[],
  release: ['id', 'version', 'description', 'status', 'current', 'eligible_for_rollback', 'created_at', 'user'] satisfies (keyof Release)[],
  dyno: ['id', 'name', 'type', 'state', 'command', 'release', 'app', 'created_at', 'updated_at'] satisfies (keyof Dyno)[],
  sniEndpoint: ['id', 'name', 'certificate_chain', 'domains', 'ssl_cert', 'app', 'created_at', 'updated_at'] satisfies (keyof SniEndpoint)[],
  logSession: ['id', 'logplex_url', 'created_at', 'updated_at'] satisfies (keyof LogSession)[],
  addon: ['id', 'name', 'addon_service', 'plan', 'app', 'config_vars', 'state', 'billing_entity', 'created_at'] satisfies (keyof HerokuAddon)[],
  addonService: ['id', 'name', 'human_name', 'state', 'created_at'] satisfies (keyof AddonService)[],
  region: ['id', 'name', 'description', 'created_at'] satisfies (keyof Region)[],
  feature: ['id', 'name', 'description', 'enabled', 'state', 'doc_url', 'display_name'] satisfies (keyof Feature)[],
  oauthAuthorization: ['id', 'description', 'scope', 'access_token', 'user', 'created_at'] satisfies (keyof OAuthAuthorization)[],
} as const;

/** The listed fields `body` lacks (a field holding null counts as present). */
export function missingHerokuFields(resource: keyof typeof herokuFieldsOf, body: unknown): string[] {
  const obj = (body ?? {}) as Record<string, unknown>;
  return herokuFieldsOf[resource].filter((f) => !(f in obj));
}
