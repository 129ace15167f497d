import type { Response } from 'express';
import type { Redis } from 'ioredis';
import { formatLogLine, matchesLogFilter, type LogFilter, type StoredLogEntry } from '@paas/shared';
import { compareIds, type LogStore } from './log-store.js';

export interface TailRequest {
  app: string;
  /** History lines before the tail (ignored when resuming). */
  lines: number;
  tail: boolean;
  filter: LogFilter;
  /** Resume after this stream id (the last event id the client saw): no history, no repeats. */
  after?: string | undefined;
  /** Server-sent events (`id:` per line, for resuming) rather than plain text. */
  sse: boolean;
}

export interface TailLimits {
  /** Entries read from Redis per round. */
  batch: number;
  blockMs: number;
  /** An SSE comment after this long without a line, so clients and proxies see the connection live. */
  heartbeatMs: number;
  /** A client that has not taken a single write for this long is disconnected. */
  stallMs: number;
  /** Bytes a client's socket may hold before reading Redis waits for it to drain. */
  maxBufferedBytes: number;
}

const defaults: TailLimits = { batch: 1000, blockMs: 1000, heartbeatMs: 15_000, stallMs: 60_000, maxBufferedBytes: 512 * 1024 };

/**
 * Tails in progress on this controller: bounded in number, and each bounded in memory by waiting
 * for its socket to drain before reading more from Redis (a slow client falls behind the stream,
 * never into the controller's heap).
 */
export class LogTails {
  private readonly active = new Set<Response>();

  constructor(readonly max = 500) {}

  get count(): number {
    return this.active.size;
  }

  /** Bytes written to tail clients and not yet taken by their sockets. */
  bufferedBytes(): number {
    let n = 0;
    for (const res of this.active) n += res.writableLength;
    return n;
  }

  tryAdd(res: Response): boolean {
    if (this.active.size >= this.max) return false;
    this.active.add(res);
    return true;
  }

  remove(res: Response): void {
    this.active.delete(res);
  }
}

/**
 * Writes an app's log: the last `lines` lines (XREVRANGE), then with `tail` every new line as it is
 * added (XREAD BLOCK from the id the history ended at, so nothing is lost or repeated at the seam).
 * `reader` is a connection of its own, held by the blocking reads.
 */
export async function streamLogs(store: LogStore, reader: Redis, q: TailRequest, res: Response, limits: Partial<TailLimits> = {}): Promise<void> {
  const l = { ...defaults, ...limits };
  let closed = false;
  res.on('close', () => {
    closed = true;
  });
  res.status(200);
  res.setHeader('content-type', q.sse ? 'text/event-stream; charset=utf-8' : 'text/plain; charset=utf-8');
  res.setHeader('cache-control', 'no-store');
  res.setHeader('x-accel-buffering', 'no');
  res.flushHeaders();
  res.socket?.setNoDelay(true);
  let lastWrite = Date.now();
  /** Set when a write had to wait for the socket: the stream may have been trimmed meanwhile. */
  let waited = false;

  /** Writes, then waits while the socket holds more than `maxBufferedBytes`; false when the client is gone or stuck. */
  const write = async (chunk: string): Promise<boolean> => {
    if (closed) return false;
    lastWrite = Date.now();
    if (res.write(chunk) || res.writableLength < l.maxBufferedBytes) return true;
    waited = true;
    return new Promise<boolean>((resolve) => {
      const done = (ok: boolean): void => {
        clearTimeout(timer);
        res.off('drain', onDrain);
        res.off('close', onClose);
        resolve(ok);
      };
      const onDrain = (): void => done(true);
      const onClose = (): void => done(false);
      const timer = setTimeout(() => {
        res.destroy();
        done(false);
      }, l.stallMs);
      res.on('drain', onDrain);
      res.on('close', onClose);
    });
  };
  // SSE: one event per batch read, a `data:` line per log line and the id of the batch's last entry
  // (a client that loses the connection mid-event drops the whole event and resumes before it).
  const render = (entries: StoredLogEntry[]): string => {
    let out = '';
    for (const e of entries) {
      if (!matchesLogFilter(e, q.filter)) continue;
      const text = formatLogLine(e).replace(/[\r\n]/g, ' ');
      out += q.sse ? `data: ${text}\n` : `${text}\n`;
    }
    if (!q.sse || entries.length === 0) return out;
    return `${out}id: ${entries[entries.length - 1]!.id}\n\n`;
  };

  let cursor: string;
  if (q.after !== undefined) cursor = q.after;
  else {
    const history = await store.history(q.app, q.lines, q.filter);
    cursor = history.lastId;
    for (let i = 0; i < history.entries.length && !closed; i += 500) {
      if (!(await write(render(history.entries.slice(i, i + 500))))) return;
    }
    if (q.sse && !q.tail) await write('event: end\ndata: \n\n');
    // Where the tail goes on from: a client that saw no line still resumes at the seam.
    if (q.sse && q.tail && !(await write(`id: ${cursor}\n\n`))) return;
  }
  if (!q.tail) {
    res.end();
    return;
  }

  waited = false;
  /** The last read came back full, or the client resumes after being away: lines may have been trimmed. */
  let behind = q.after !== undefined;
  while (!closed) {
    if (waited || behind) {
      waited = false;
      behind = false;
      // The client (or this tail) was slow: lines the stream trimmed meanwhile are gone; say so rather than skip silently.
      const info = await store.info(q.app);
      if (info.firstId !== undefined && cursor !== '0-0' && compareIds(info.firstId, cursor) > 0) {
        const note = `${new Date().toISOString()} platform[logs]: lines were trimmed from the log before this client read them (it read too slowly, or was away too long)`;
        if (!(await write(q.sse ? `data: ${note}\n\n` : `${note}\n`))) return;
      }
    }
    const entries = await store.readAfter(q.app, cursor, l.batch, l.blockMs, reader);
    if (closed) return;
    if (entries.length === 0) {
      if (q.sse && Date.now() - lastWrite >= l.heartbeatMs && !(await write(': keep-alive\n\n'))) return;
      continue;
    }
    cursor = entries[entries.length - 1]!.id;
    behind = entries.length >= l.batch;
    const chunk = render(entries);
    if (chunk !== '' && !(await write(chunk))) return;
  }
}
