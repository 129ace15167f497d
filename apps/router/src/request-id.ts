import { randomUUID } from 'node:crypto';

/** Heroku's rule: a client's X-Request-Id is kept when it is 20 to 200 of these characters. */
const saneRequestId = /^[A-Za-z0-9+/=_-]{20,200}$/;

/** The request's id: the client's X-Request-Id when it is sane, else a fresh UUID. */
export function requestIdFor(header: string | string[] | undefined): string {
  const sent = Array.isArray(header) ? header[0] : header;
  return sent !== undefined && saneRequestId.test(sent) ? sent : randomUUID();
}
