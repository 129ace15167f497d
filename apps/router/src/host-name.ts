import { isIP } from 'node:net';

/**
 * The host name of a Host header, as the route table compares it: lowercase, without the port and
 * without a trailing dot. IPv6 literals keep their brackets off: `[::1]:8080` → `::1`.
 */
export function hostOf(header: string | undefined): string {
  if (!header) return '';
  let host = header.trim().toLowerCase();
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    return end === -1 ? host : host.slice(1, end);
  }
  const colon = host.indexOf(':');
  if (colon !== -1) host = host.slice(0, colon);
  return host.endsWith('.') ? host.slice(0, -1) : host;
}

/** The port of a Host header, or undefined when it names none. */
export function portOf(header: string | undefined): number | undefined {
  if (!header) return undefined;
  const match = /:(\d{1,5})$/.exec(header.trim());
  if (!match) return undefined;
  const port = Number(match[1]);
  return port >= 1 && port <= 65535 ? port : undefined;
}

export function isIpLiteral(host: string): boolean {
  return isIP(host) !== 0;
}
