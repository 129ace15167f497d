import type { Backend } from '@paas/shared';
import type { RouterErrorCode } from './error-pages.js';

/** What the router learns about one request as it goes, for the access log. */
export interface RequestContext {
  requestId: string;
  /** performance.now() when the request arrived. */
  startedAt: number;
  /** Host name, lowercase, without port. */
  host: string;
  app?: string;
  /** The backend that answered (or was tried last). */
  backend?: Backend;
  /** Connection attempts made to backends. */
  attempts: number;
  /** The router's own error, when it answered instead of a backend. */
  error?: RouterErrorCode;
}
