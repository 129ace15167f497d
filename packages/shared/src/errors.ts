/**
 * Errors with stable codes. Every failure the platform reports carries one of these codes, a human
 * message and a `retryable` flag; `httpStatusFor` is the one place codes map to HTTP statuses.
 */
export const errorStatus = {
  invalid_params: 422,
  /** A path that does not decode (malformed percent-encoding) or holds control characters. */
  invalid_path: 400,
  /** A request body that cannot be read: broken gzip/deflate/br, cut short, a wrong Content-Length. */
  invalid_body: 400,
  /** A JSON body whose arrays and objects nest deeper than the API reads (refused before parsing). */
  nesting_too_deep: 400,
  /** Any other malformed request a library refused (a 4xx it carried without a more precise id). */
  bad_request: 400,
  /** NUL, a lone UTF-16 surrogate or (where a field forbids them) control characters in a string. */
  invalid_characters: 422,
  /** `__proto__`, `constructor` or `prototype` as a key anywhere in a JSON body. */
  reserved_key: 422,
  /** A per-app limit (config vars, domains, drains, collaborators) would be passed. */
  limit_exceeded: 422,
  /** A body other than JSON in UTF-8, or a Content-Encoding the API does not decode. */
  unsupported_media_type: 415,
  unauthorized: 401,
  invalid_authorization: 401,
  request_timeout: 408,
  forbidden: 403,
  not_found: 404,
  app_not_found: 404,
  build_not_found: 404,
  release_not_found: 404,
  user_not_found: 404,
  authorization_not_found: 404,
  collaborator_not_found: 404,
  drain_not_found: 404,
  /** A runtime process id the runtime does not know (never started, or already stopped). */
  process_not_found: 404,
  addon_not_found: 404,
  backup_not_found: 404,
  /** A release or build with no inventory (built before inventories, or its inventory failed). */
  sbom_not_found: 404,
  /** The release policy refuses an image with known vulnerabilities at or above its severity. */
  release_blocked: 422,
  payload_too_large: 413,
  name_taken: 409,
  build_in_progress: 409,
  /** A rename refused while the app builds or deploys, or a push that raced a rename: retryable. */
  app_busy: 409,
  quota_exceeded: 403,
  build_failed: 422,
  release_failed: 422,
  /** A process mounts a local volume whose host is down or gone: it cannot run elsewhere. */
  volume_host_lost: 409,
  volume_not_found: 404,
  no_buildpack: 422,
  rate_limited: 429,
  /** A `Range` header that cannot be read, or asks past the API's bounds (max 1000). */
  requested_range_not_satisfiable: 416,
  /** A log session's URL that was used already, has expired, or was never issued. */
  log_session_not_found: 404,
  feature_not_found: 404,
  region_not_found: 404,
  unavailable: 503,
  /** A container engine did not answer within the call's deadline: retryable. */
  engine_timeout: 504,
  /** PostgreSQL does not answer (stopped, restarting, unreachable, out of connections): retryable. */
  database_unavailable: 503,
  /** A disk new work (a build) writes to is nearly full: refused until space is freed; retryable. */
  insufficient_storage: 507,
  /** An SSH server answered with another host key than the one pinned on first use (hosts:provision). */
  host_key_mismatch: 409,
  /** A step of provisioning a host over SSH failed (the message names the step). */
  provision_failed: 502,
  internal: 500,
} as const;

export type ErrorCode = keyof typeof errorStatus;

/**
 * Heroku's Platform API error ids, for the codes where paas's differ: answered as `id` to clients
 * that ask for Heroku's API (`Accept: application/vnd.heroku+json; version=3`), with paas's own code
 * beside it as `paas_id`. Heroku's tools key on these (`not_found`, `rate_limit`, …).
 */
export const herokuErrorIds: Partial<Record<ErrorCode, string>> = {
  app_not_found: 'not_found',
  build_not_found: 'not_found',
  release_not_found: 'not_found',
  user_not_found: 'not_found',
  authorization_not_found: 'not_found',
  collaborator_not_found: 'not_found',
  drain_not_found: 'not_found',
  process_not_found: 'not_found',
  addon_not_found: 'not_found',
  backup_not_found: 'not_found',
  volume_not_found: 'not_found',
  log_session_not_found: 'not_found',
  feature_not_found: 'not_found',
  region_not_found: 'not_found',
  invalid_authorization: 'unauthorized',
  invalid_path: 'bad_request',
  invalid_body: 'bad_request',
  nesting_too_deep: 'bad_request',
  invalid_characters: 'invalid_params',
  reserved_key: 'invalid_params',
  limit_exceeded: 'invalid_params',
  name_taken: 'conflict',
  build_in_progress: 'conflict',
  volume_host_lost: 'conflict',
  quota_exceeded: 'forbidden',
  build_failed: 'invalid_params',
  release_failed: 'invalid_params',
  no_buildpack: 'invalid_params',
  rate_limited: 'rate_limit',
  database_unavailable: 'unavailable',
  engine_timeout: 'unavailable',
  insufficient_storage: 'unavailable',
};

/** The error id a Heroku client is told for `code`. */
export function herokuErrorId(code: ErrorCode): string {
  return herokuErrorIds[code] ?? code;
}

export interface AppErrorOptions {
  retryable?: boolean;
  details?: Record<string, unknown>;
  cause?: unknown;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.details = options.details;
  }

  get status(): number {
    return httpStatusFor(this.code);
  }

  toJSON(): { id: ErrorCode; message: string } & Record<string, unknown> {
    return { id: this.code, message: this.message, ...(this.details ?? {}) };
  }
}

export function httpStatusFor(code: string): number {
  return (errorStatus as Record<string, number>)[code] ?? 500;
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}

/** Turns anything thrown into an Error, so callers can always rely on `.message`. */
export function toError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
