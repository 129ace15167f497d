import type { IncomingMessage } from 'node:http';

/** Heroku's media type for the Platform API v3: its CLI, heroku-client and Terraform send it on every request. */
export const herokuMediaType = 'application/vnd.heroku+json';

/** Whether the request asks for Heroku's Platform API (`Accept: application/vnd.heroku+json; version=3`). */
export function wantsHeroku(req: Pick<IncomingMessage, 'headers'>): boolean {
  const accept = req.headers.accept;
  return typeof accept === 'string' && accept.toLowerCase().includes(herokuMediaType);
}
