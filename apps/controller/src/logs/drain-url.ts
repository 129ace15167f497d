import { AppError, type EgressUse } from '@paas/shared';

/** Where a drain delivers: batched HTTPS POSTs, or RFC 5424 syslog over TCP or TLS. */
export type DrainTarget =
  | { kind: 'https'; url: URL }
  | { kind: 'syslog'; tls: boolean; host: string; port: number };

export const drainUrlRule = 'drain URLs are https://host/path, syslog+tls://host:port or syslog://host:port';
const maxLength = 2048;

function refuse(reason: string): never {
  throw new AppError('invalid_params', `url: ${reason} (${drainUrlRule})`);
}

/** Parses and checks a drain URL; a malformed one or an unsupported scheme is refused (422) naming the rule. */
export function parseDrainUrl(raw: string): DrainTarget {
  if (typeof raw !== 'string' || raw.trim() === '') refuse('is required');
  if (raw.length > maxLength) refuse(`is longer than ${maxLength} characters`);
  if (/\s/.test(raw)) refuse('must not contain spaces');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    refuse(`${JSON.stringify(raw.slice(0, 100))} is not a URL`);
  }
  if (url.hash) refuse('must not have a #fragment');
  switch (url.protocol) {
    case 'https:':
      if (!url.hostname) refuse('needs a host');
      return { kind: 'https', url };
    case 'syslog:':
    case 'syslog+tls:': {
      // Special schemes aside, WHATWG URL keeps the host of scheme://host:port URLs.
      if (!url.hostname) refuse('needs a host');
      if (!url.port) refuse(`needs a port, e.g. ${url.protocol}//${url.hostname}:${url.protocol === 'syslog:' ? 514 : 6514}`);
      if (url.username || url.password) refuse('syslog drains take no user or password');
      if ((url.pathname !== '' && url.pathname !== '/') || url.search) refuse('syslog drains take no path or query');
      return { kind: 'syslog', tls: url.protocol === 'syslog+tls:', host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port) };
    }
    case 'http:':
      refuse('plain http:// is not supported: logs would cross the network unencrypted; use https://');
    default:
      refuse(`the scheme ${url.protocol.replace(/:$/, '')} is not supported`);
  }
}

/** The URL as shown back (a password in an https URL is masked). */
export function displayDrainUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return raw;
  }
}

/** What the egress guard accepts for a drain: HTTPS (with basic auth, masked when shown) and syslog over TCP or TLS. */
export const drainEgressUse: EgressUse = {
  field: 'url',
  schemes: ['https:', 'syslog:', 'syslog+tls:'],
  credentials: true,
  rule: drainUrlRule,
};
