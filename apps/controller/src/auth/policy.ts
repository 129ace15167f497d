/**
 * The access policy, declared in one place: who may do what. Every API route names one of these
 * actions (see api/route-table.ts), and the git authorizer uses `app:read` and `app:deploy`.
 *
 * Subjects: `anonymous` (no valid token), `user` (signed in, no relation to the app), `collaborator`,
 * `owner`, and `admin` (the admin role, which may do everything). A user who may not even read an
 * app is told it does not exist (404), never that it is forbidden.
 */
import type { Role } from '../db/users.js';

export type Relation = 'owner' | 'collaborator' | 'none';
export type Subject = 'anonymous' | 'user' | 'collaborator' | 'owner' | 'admin';

const everyone = ['anonymous', 'user', 'collaborator', 'owner', 'admin'] as const;
const signedIn = ['user', 'collaborator', 'owner', 'admin'] as const;
const appUsers = ['collaborator', 'owner', 'admin'] as const;
const appOwners = ['owner', 'admin'] as const;
const admins = ['admin'] as const;

/** Action → the subjects allowed. `app:*` actions are about one app (the `:app` of the path). */
export const policy = {
  // Public.
  'public': everyone,
  // The platform's git hooks, authenticated by the hook token rather than a user.
  'hook': [] as readonly Subject[],
  // The signed-in user's own account, tokens and app list.
  'account': signedIn,
  'apps:create': signedIn,
  // One app.
  'app:read': appUsers,
  'app:config:read': appUsers,
  'app:config:write': appUsers,
  'app:scale': appUsers,
  'app:deploy': appUsers,
  'app:run': appUsers,
  'app:logs': appUsers,
  'app:domains': appUsers,
  'app:collaborators:read': appUsers,
  'app:collaborators:manage': appOwners,
  // Which other apps may call this one at its internal name: the owner's decision.
  'app:network': appOwners,
  'app:destroy': appOwners,
  // Renaming moves its git remote, hostname and internal name: the owner's decision, as destroying is.
  'app:rename': appOwners,
  // The app's release policy on known vulnerabilities and its allow-list: the owner's decision.
  'app:vulns:manage': appOwners,
  // The platform.
  'admin': admins,
} as const satisfies Record<string, readonly Subject[]>;

export type Action = keyof typeof policy;

/**
 * Routes served by plain express routers rather than the route table (api/route-table.ts), with the
 * action each must enforce itself. The authorization tests hold every route to its entry; a route
 * in neither place fails them. Prefer the route table for new routes: it enforces the policy itself.
 */
export const plainRoutes: Record<string, Action> = {
  // Also open to PAAS_METRICS_TOKEN (metrics/metrics-routes.ts), for Prometheus.
  'GET /metrics': 'admin',
};

export function isAppAction(action: Action): boolean {
  return action.startsWith('app:');
}

export function subjectOf(user: { role: Role } | undefined, relation: Relation = 'none'): Subject {
  if (!user) return 'anonymous';
  if (user.role === 'admin') return 'admin';
  return relation === 'none' ? 'user' : relation;
}

export function allows(subject: Subject, action: Action): boolean {
  return (policy[action] as readonly Subject[]).includes(subject);
}

/**
 * The decision for a subject and an action: `allow`; `unauthenticated` (401); `hidden` (404: the
 * subject may not even see the app); `forbidden` (403).
 */
export type Decision = 'allow' | 'unauthenticated' | 'hidden' | 'forbidden';

export function decide(subject: Subject, action: Action): Decision {
  if (allows(subject, action)) return 'allow';
  if (subject === 'anonymous' || action === 'hook') return 'unauthenticated';
  if (isAppAction(action) && !allows(subject, 'app:read')) return 'hidden';
  return 'forbidden';
}
