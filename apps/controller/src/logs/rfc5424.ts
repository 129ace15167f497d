import type { LogEntry } from '@paas/shared';

/**
 * RFC 5424 syslog messages, as Heroku's drains send them:
 * `<190>1 2026-11-25T17:00:00.123456+00:00 shop app web.1 - - listening on 5000`
 * (facility local7, severity info; HOSTNAME the app, APP-NAME the source, PROCID the process), and
 * RFC 6587 octet-counting framing (`<length> <message>`) for streams and application/logplex-1.
 */
export const logplexPriority = 190;

/** RFC 5424 header fields: printable US-ASCII without spaces, bounded, `-` when empty. */
function headerField(value: string, max: number): string {
  const clean = value.replace(/[^\x21-\x7e]/g, '_').slice(0, max);
  return clean === '' ? '-' : clean;
}

/** RFC 3339 with at most 6 fractional digits (RFC 5424 TIME-SECFRAC) in UTC. */
export function syslogTimestamp(ts: string): string {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?Z$/.exec(ts);
  if (m) return `${m[1]}${m[2] ? `.${m[2].slice(0, 6)}` : ''}+00:00`;
  const d = new Date(ts);
  return Number.isNaN(d.getTime()) ? '-' : syslogTimestamp(d.toISOString());
}

export function formatRfc5424(app: string, e: LogEntry, priority = logplexPriority): string {
  const msg = e.line.replace(/[\r\n]+/g, ' ');
  return `<${priority}>1 ${syslogTimestamp(e.ts)} ${headerField(app, 255)} ${headerField(e.source, 48)} ${headerField(e.process, 128)} - - ${msg}`;
}

/** One octet-counted frame: the message's length in bytes, a space, the message. */
export function octetFrame(message: string): string {
  return `${Buffer.byteLength(message, 'utf8')} ${message}`;
}

/** Reads octet-counted frames back (for receivers and tests); returns the messages and what is left over. */
export function parseOctetFrames(buf: Buffer): { messages: string[]; rest: Buffer } {
  const messages: string[] = [];
  let at = 0;
  for (;;) {
    const space = buf.indexOf(0x20, at);
    if (space < 0 || space - at > 10) break;
    const length = Number(buf.toString('latin1', at, space));
    if (!Number.isInteger(length) || space + 1 + length > buf.length) break;
    messages.push(buf.toString('utf8', space + 1, space + 1 + length));
    at = space + 1 + length;
  }
  return { messages, rest: buf.subarray(at) };
}
