/**
 * One line of an app's log stream (`<prefix>:logs:<app>` in Redis, like Heroku's Logplex): the app's
 * own output (`app[web.1]`), the router's access lines (`router`) and the platform's events
 * (`platform`). Stored as the stream entry's fields `source`, `process`, `line`, `ts`.
 */
export const logSources = ['app', 'router', 'platform'] as const;
export type LogSource = (typeof logSources)[number];

export interface LogEntry {
  /** When the line was written: ISO 8601 / RFC 3339 in UTC, any fraction of a second. */
  ts: string;
  source: LogSource;
  /** `web.1` for app lines, `router` for the router, `api` or a process name for platform events. */
  process: string;
  line: string;
}

/** An entry as read back, with its stream id (`1732554000000-0`). */
export interface StoredLogEntry extends LogEntry {
  id: string;
}

/** The XADD field list of an entry. */
export function logEntryFields(e: LogEntry): string[] {
  return ['source', e.source, 'process', e.process, 'line', e.line, 'ts', e.ts];
}

/** An entry from a stream entry's fields; writers that leave fields out (the router has no `process`) get defaults. */
export function parseLogEntry(id: string, fields: string[]): StoredLogEntry {
  // A tail parses every line it sends: plain locals, no map per entry.
  let rawSource: string | undefined;
  let process: string | undefined;
  let line: string | undefined;
  let ts: string | undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const value = fields[i + 1]!;
    switch (fields[i]) {
      case 'source':
        rawSource = value;
        break;
      case 'process':
        process = value;
        break;
      case 'line':
        line = value;
        break;
      case 'ts':
        ts = value;
        break;
    }
  }
  const source = rawSource !== undefined && (logSources as readonly string[]).includes(rawSource) ? (rawSource as LogSource) : 'app';
  if (ts === undefined) {
    const ms = Number(id.split('-')[0]);
    ts = new Date(Number.isFinite(ms) ? ms : 0).toISOString();
  }
  return { id, source, process: process ?? (source === 'router' ? 'router' : source === 'platform' ? 'api' : 'app'), line: line ?? '', ts };
}

/**
 * A timestamp as Heroku prints it: `2026-11-25T17:00:00.123456+00:00` (microseconds, UTC). Accepts
 * Docker's nanosecond RFC 3339 (`…:00.123456789Z`) and JavaScript's milliseconds (`…:00.123Z`).
 */
export function herokuTimestamp(ts: string): string {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})?$/.exec(ts);
  if (!m || (m[3] && m[3] !== 'Z' && !/^[+-]00:?00$/.test(m[3]))) {
    const d = new Date(ts);
    if (Number.isNaN(d.getTime())) return ts;
    return herokuTimestamp(d.toISOString());
  }
  return `${m[1]}.${(m[2] ?? '').slice(0, 6).padEnd(6, '0')}+00:00`;
}

/** Who wrote the line, as shown: `app[web.1]`, `router`, `platform`, `platform[web.1]`. */
export function logOrigin(e: Pick<LogEntry, 'source' | 'process'>): string {
  if (e.source === 'app') return `app[${e.process}]`;
  if (e.process === '' || e.process === e.source || (e.source === 'platform' && e.process === 'api')) return e.source;
  return `${e.source}[${e.process}]`;
}

/** The line as `paas logs` prints it: `2026-11-25T17:00:00.000000+00:00 app[web.1]: listening on 5000`. */
export function formatLogLine(e: LogEntry): string {
  return `${herokuTimestamp(e.ts)} ${logOrigin(e)}: ${e.line}`;
}

export interface LogFilter {
  source?: LogSource | undefined;
  /** Only lines from one of these sources (Heroku's `heroku` source: the router's and the platform's). */
  sources?: readonly LogSource[] | undefined;
  /** `web.1` matches that process; `web` every process of the type. */
  process?: string | undefined;
}

export function matchesLogFilter(e: Pick<LogEntry, 'source' | 'process'>, f: LogFilter): boolean {
  if (f.source !== undefined && e.source !== f.source) return false;
  if (f.sources !== undefined && !f.sources.includes(e.source)) return false;
  if (f.process !== undefined && e.process !== f.process && !e.process.startsWith(`${f.process}.`)) return false;
  return true;
}
