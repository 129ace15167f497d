import { findStack, type StackName } from '@paas/shared';
import type { AppRow } from '../db/apps.js';
import type { BuildRow } from '../db/builds.js';
import type { ReleaseRow } from '../db/releases.js';
import type { ProcessInfo } from '../runtime/runtime-backend.js';
import type { User, ApiTokenRow } from '../db/users.js';
import type { AuditEventRow } from '../db/audit-events.js';
import type { QuotaReport } from '../auth/quota-service.js';
import { gitUrl, webUrl, type ControllerConfig } from '../config.js';
import { regionRef } from './heroku/heroku-json.js';

/** Heroku's `{id, name}` of a stack. */
function stackRef(name: StackName) {
  return { id: findStack(name)!.id, name };
}

type UrlConfig = Pick<ControllerConfig, 'domain' | 'router' | 'api'>;

export function appJson(config: UrlConfig, app: AppRow) {
  return {
    id: app.id,
    // Heroku's App fields paas has: the cluster's region (GET /regions), none of Heroku's teams or spaces.
    region: regionRef(config.api.region.name),
    organization: null,
    team: null,
    space: null,
    repo_size: null,
    slug_size: null,
    name: app.name,
    owner: { id: app.owner_id, email: app.owner_email },
    created_at: app.created_at,
    web_url: webUrl(config, app.name),
    git_url: gitUrl(config, app.name),
    current_release: app.current_release,
    buildpacks: app.buildpacks,
    maintenance: app.maintenance,
    build_stack: stackRef(app.build_stack),
    stack: stackRef(app.stack),
  };
}

export function releaseJson(r: ReleaseRow, current: number | null) {
  return {
    id: r.id,
    version: r.version,
    description: r.description,
    status: r.status,
    current: r.version === current,
    // Heroku's: a release that succeeded can be rolled back to (deploy/rollback.ts refuses the others).
    eligible_for_rollback: r.status === 'succeeded',
    image: r.image,
    build: r.build_id ? { id: r.build_id } : null,
    process_types: r.process_types,
    // Omitted for releases the platform made itself (Heroku's Release has no null user).
    ...(r.user_email ? { user: { email: r.user_email } } : {}),
    created_at: r.created_at,
  };
}

export function buildJson(b: BuildRow) {
  return {
    id: b.id,
    status: b.status,
    commit: b.commit,
    buildpack: b.buildpack,
    image: b.image,
    error: b.error,
    process_types: b.process_types,
    stack: b.stack,
    created_at: b.created_at,
    finished_at: b.finished_at,
    source_blob: b.source_url === null ? null : { url: b.source_url, version: b.source_version, checksum: b.source_checksum },
    release: b.release_id === null ? null : { id: b.release_id },
  };
}

export function dynoJson(p: ProcessInfo) {
  return {
    id: p.id,
    name: p.name,
    type: p.type,
    state: p.state,
    host: p.host,
    release: { version: p.release },
    command: p.command,
    created_at: p.startedAt,
    updated_at: p.startedAt,
    restart_count: p.restartCount,
    ...(p.volumes?.length ? { volumes: p.volumes } : {}),
  };
}

export function accountJson(u: User) {
  return { id: u.id, email: u.email, role: u.role, created_at: u.created_at, locale: u.locale === 'zh-CN' ? ('zh-CN' as const) : ('en' as const) };
}

export function userJson(u: User) {
  return { ...accountJson(u), disabled: u.disabled_at !== null, disabled_at: u.disabled_at };
}

export function authorizationJson(t: ApiTokenRow, token?: string) {
  return {
    id: t.id,
    description: t.description,
    created_at: t.created_at,
    last_used_at: t.last_used_at,
    access_token: token === undefined ? null : { token, expires_in: null },
  };
}

export function collaboratorJson(app: AppRow, c: { user_id: string; email: string; created_at: Date }, role: 'owner' | 'collaborator') {
  return { app: { id: app.id, name: app.name }, user: { id: c.user_id, email: c.email }, role, created_at: c.created_at };
}

export function quotaJson(u: User, q: QuotaReport) {
  return { user: { id: u.id, email: u.email }, limits: q.limits, overrides: q.overrides, usage: q.usage };
}

export function auditEventJson(e: AuditEventRow) {
  return {
    id: e.id,
    created_at: e.created_at,
    actor: e.actor_email,
    action: e.action,
    app: e.app,
    user: e.target_user,
    ip: e.ip,
    details: e.details,
  };
}
