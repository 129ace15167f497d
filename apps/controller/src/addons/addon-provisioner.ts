import type { AddonKind, AddonPlan } from './addon-plans.js';

export type AddonEngine = 'shared' | 'container';

/** A server add-ons are made on: its admin URL, and the host apps reach it at (when it differs). */
export interface AddonServer {
  /** The admin connection URL (a superuser, or a role with CREATEDB and CREATEROLE; Redis: ACL admin). */
  adminUrl: string;
  /** Host (and port) written into the apps' URLs instead of the admin URL's, e.g. a docker bridge address. */
  publicHost?: string;
}

/** What `info` tells about one add-on on its server. */
export interface AddonUsage {
  /** Bytes it holds (database size; Redis: memory of its keys). */
  bytes: number;
  /** Connections open now. */
  connections: number;
  /** Connections allowed at once. */
  connectionLimit: number | null;
  /** Anything else worth showing (Redis: keys). */
  extra?: Record<string, string | number>;
}

/**
 * The backing-service seam: one per kind (addons/postgres-provisioner.ts, addons/redis-provisioner.ts).
 * `resource` names the add-on's database, role or ACL user on the server; it is made by the
 * platform (`addon_<hex>`), never by a user.
 */
export interface AddonProvisioner {
  readonly kind: AddonKind;
  /** `shared` (a database or user on a shared server, the default) or `container` (a server of its own). */
  readonly engine?: AddonEngine;
  /** Creates the add-on's resources; answers the URL apps use. */
  create(server: AddonServer, resource: string, plan: AddonPlan): Promise<string>;
  /** Drops its resources and their data (idempotent: nothing left is not an error). */
  destroy(server: AddonServer, resource: string): Promise<void>;
  /** A new password (open connections of the old one are closed); answers the new URL. */
  rotate(server: AddonServer, resource: string): Promise<string>;
  usage(server: AddonServer, resource: string): Promise<AddonUsage>;
  /** Makes the resources exist as recorded (Redis forgets ACL users on restart without an ACL file). */
  ensure?(server: AddonServer, resource: string, url: string, plan: AddonPlan): Promise<void>;
}

/** Makes `url`'s host the server's public host when one is set. */
export function withPublicHost(url: URL, server: AddonServer): string {
  if (server.publicHost) url.host = server.publicHost;
  return url.toString();
}
