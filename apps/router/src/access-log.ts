import { performance } from 'node:perf_hooks';
import { routerErrors } from './error-pages.js';
import type { RequestContext } from './request-context.js';

/** One access line, ready for the sinks. */
export interface AccessEntry {
  /** The app the request was for; undefined for unknown hosts and the router's own endpoints. */
  app: string | undefined;
  /**
   * The Heroku-format line: one line, with no CR or LF (formatAccessLine quotes and escapes every
   * value that could hold one), so sinks frame lines without scanning them.
   */
  line: string;
  /** Wall-clock ms when the request ended. */
  at: number;
  error: boolean;
}

/**
 * Where access lines go: the operator log, the app's log stream. `write` is called on the hot path
 * once per request: it must not block, throw or wait.
 */
export interface AccessLogSink {
  write(entry: AccessEntry): void;
  /** Flushes what is buffered and stops. */
  close(): Promise<void>;
}

export interface AccessFacts {
  method: string | undefined;
  path: string | undefined;
  fwd: string;
  status: number;
  protocol: 'http' | 'https';
}

/**
 * The Heroku router line for a request, e.g.
 * `at=info method=GET path="/" host=shop.example.com request_id=… fwd="203.0.113.9" dyno=web.1 connect=1ms service=12ms status=200 bytes=512 protocol=https`.
 * The router's own failures are `at=error code=<code> desc="<title>" …`.
 */
export function formatAccessLine(ctx: RequestContext, f: AccessFacts, now = performance.now()): string {
  const head = ctx.error === undefined ? 'at=info' : `at=error code=${ctx.error} desc="${routerErrors[ctx.error].title}"`;
  const service = ctx.sentAt > 0 ? now - ctx.sentAt : now - ctx.startedAt;
  return (
    `${head} method=${token(f.method)} path=${quote(f.path ?? '')} host=${token(ctx.host)} request_id=${ctx.requestId} ` +
    `fwd=${quote(f.fwd)} dyno=${ctx.backend?.process ?? 'router'} connect=${Math.round(ctx.connectMs)}ms service=${Math.round(service)}ms ` +
    `status=${f.status} bytes=${ctx.bytes} protocol=${f.protocol}`
  );
}

const plain = /^[\x21\x23-\x7e]*$/;

/** A bare value, or `-` when empty; anything unusual is quoted. */
function token(s: string | undefined): string {
  if (!s) return '-';
  return plain.test(s) && !s.includes('=') ? s : quote(s);
}

function quote(s: string): string {
  // The usual path or address: nothing to escape.
  if (plain.test(s) && !s.includes('\\')) return `"${s}"`;
  if (/^[\x20-\x7e]*$/.test(s)) return `"${s.replace(/["\\]/g, '\\$&')}"`;
  return JSON.stringify(s);
}

/** Several sinks as one. */
export class TeeAccessLogSink implements AccessLogSink {
  constructor(private readonly sinks: AccessLogSink[]) {}

  write(entry: AccessEntry): void {
    for (const sink of this.sinks) sink.write(entry);
  }

  async close(): Promise<void> {
    await Promise.all(this.sinks.map((s) => s.close()));
  }
}
