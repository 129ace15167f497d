import { isIP } from 'node:net';

/** Custom domains: what `paas domains:add` accepts. */
export const hostnameRule =
  'a hostname must be a lowercase DNS name of at least two labels (letters, digits and dashes, 1 to 63 characters each, not starting or ending with a dash), at most 253 characters, with a wildcard allowed only as a leading "*."';

const label = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** Lowercase, trimmed, without a trailing dot: how hostnames are stored and compared. */
export function normalizeHostname(input: string): string {
  const h = input.trim().toLowerCase();
  return h.endsWith('.') ? h.slice(0, -1) : h;
}

/** Whether a (normalized) hostname follows `hostnameRule`. IP addresses are not hostnames. */
export function isValidHostname(hostname: string): boolean {
  if (hostname.length === 0 || hostname.length > 253 || isIP(hostname) !== 0) return false;
  const labels = hostname.split('.');
  if (labels[0] === '*') labels.shift();
  if (labels.length < 2) return false;
  if (/^\d+$/.test(labels[labels.length - 1]!)) return false; // a numeric top-level label is an address, not a name
  return labels.every((l) => label.test(l));
}

/** Whether `host` (a concrete name) is covered by `pattern` (a name or a `*.` wildcard covering one label). */
export function hostnameMatches(pattern: string, host: string): boolean {
  if (!pattern.startsWith('*.')) return pattern === host;
  const dot = host.indexOf('.');
  return dot > 0 && host.slice(dot + 1) === pattern.slice(2);
}
