import type { AppRoute, CertEntry } from './types.js';

/**
 * The route table seam between the controller (writer) and the routers (readers). Routers sync with
 * list, diff, apply, then watch; on any error they keep their last good table and resync on a timer.
 */
export interface RouteStore {
  /** Every app's route. */
  list(): Promise<AppRoute[]>;
  /** One app's route, or undefined when the app has none. */
  get(app: string): Promise<AppRoute | undefined>;
  /** Stores the app's route and tells the watchers. */
  set(route: AppRoute): Promise<void>;
  /** Removes the app's route and tells the watchers. */
  remove(app: string): Promise<void>;
  /**
   * Calls `onChange(app, route)` for each change after this resolves; returns a function that stops
   * watching. `route` is the app's route as the change left it (null: removed), so a watcher need
   * not read it back; undefined when the store did not say (the watcher then reads it with `get`).
   */
  watch(onChange: RouteChangeListener, onResync?: () => void): Promise<() => Promise<void>>;
  /**
   * Every route with the store's epoch: an id written with a whole table (replaceAll). Undefined when
   * the store never had a whole table written or lost it (Redis came back empty): a list without an
   * epoch may be missing routes, so routers remove nothing it lacks (they keep their table).
   */
  snapshot(): Promise<RouteSnapshot>;
  /** The store's epoch alone (cheap: the controller looks at it every second). */
  epoch(): Promise<string | undefined>;
  /**
   * Replaces the whole table with `routes` under a new epoch, in one step, and tells the watchers to
   * resync (`onResync`). With `onlyIfNoEpoch` nothing is written when the store has an epoch (another
   * controller republished first). Resolves with the new epoch, or undefined when nothing was written.
   */
  replaceAll(routes: AppRoute[], opts?: { onlyIfNoEpoch?: boolean }): Promise<string | undefined>;
  /** A router says it now serves `version` of the app's route. */
  ack(app: string, version: number): Promise<void>;
  /** Resolves true once some router serves at least `version` of the app's route, false on timeout. */
  waitForAck(app: string, version: number, timeoutMs: number): Promise<boolean>;

  // TLS certificates, synced by the routers the same way as routes (list, diff, apply, watch).
  /** Every certificate. */
  listCerts(): Promise<CertEntry[]>;
  /** One certificate by id, or undefined. */
  getCert(id: string): Promise<CertEntry | undefined>;
  /** Stores (adds or replaces) a certificate and tells the certificate watchers. */
  setCert(cert: CertEntry): Promise<void>;
  /** Removes a certificate and tells the certificate watchers. */
  removeCert(id: string): Promise<void>;
  /** Calls `onChange(id)` for each certificate change after this resolves; returns a function that stops watching. */
  watchCerts(onChange: (id: string) => void): Promise<() => Promise<void>>;
}

export interface RouteSnapshot {
  epoch: string | undefined;
  routes: AppRoute[];
}

/**
 * ACME HTTP-01 challenges (issue 18): the controller puts a token's key authorization for the time an
 * order is validated; every router answers `/.well-known/acme-challenge/<token>` with it.
 */
export interface AcmeChallengeStore {
  putChallenge(token: string, keyAuthorization: string, ttlSeconds: number): Promise<void>;
  getChallenge(token: string): Promise<string | undefined>;
  removeChallenge(token: string): Promise<void>;
}

export function isAcmeChallengeStore(s: object): s is AcmeChallengeStore {
  return typeof (s as Partial<AcmeChallengeStore>).getChallenge === 'function';
}

/** ACME tokens are base64url (RFC 8555 §8.1); anything else is never looked up. */
export const acmeTokenPattern = /^[A-Za-z0-9_-]{16,128}$/;

/** Told of a change to an app's route: the route as the change left it (null: removed), or undefined when unknown. */
export type RouteChangeListener = (app: string, route?: AppRoute | null) => void;

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
